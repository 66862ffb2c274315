"""The seed of referrals and the frames the area is returned as."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from .agencies import (
    CSC,
    FAMILIES,
    HEALTH,
    HOUSING,
    JOBCENTRE,
    LICENSING,
    POLICE,
    PROBATION,
    UNIVERSITY,
    YJS,
    _Agencies,
)
from .cast import _CASE_SUMMARIES, _CAST_REFERRALS, CASE_STUDY_FACTORS, _cast_day
from .constants import (
    AT_RISK,
    CASE_STUDIES,
    CONSENTS,
    COUNTRIES,
    ETHNICITIES,
    I64,
    INVOLVEMENTS,
    STAGES,
    WARDS,
    Obj,
)
from .naming import _names, _postcodes
from .people import (
    _OCCUPATIONS,
    P_ACCESS,
    P_BELONGING,
    P_EXPLOITED,
    P_FAMILY,
    P_FINANCIAL,
    P_GANG,
    P_INTIMATE,
    P_LATE,
    P_PRISON,
    P_PROFESSIONAL,
    P_SKILLS,
    P_TECH,
    _World,
)
from .vectors import _between, _dates, _join_codes, _pick, _rng

# --------------------------------------------------------------------------------------------
# Referrals
# --------------------------------------------------------------------------------------------

# A partnership hears of about a third of the people at risk in its area; the rest are
# found, if at all, by screening partner data.
REFERRAL_SHARE = 0.3
SCHOOL_REFERRAL_SHARE_OF_CHILDREN = 0.5
# pathway -> (referring agency kinds, the concern in the referrer's words, default factor)
_REFERRAL_BY_PATHWAY: Mapping[int, tuple[tuple[str, ...], str, str]] = {
    P_FAMILY: (
        ("families", "school", "police"),
        "Close family members are believed to be involved in organised crime and this "
        "person spends time at addresses linked to them. Staff are worried about who is "
        "influencing their choices.",
        "family_network",
    ),
    P_GANG: (
        ("school", "police", "yjs"),
        "Seen regularly with older peers linked to local drug supply, with missing episodes "
        "and unexplained cash. Concern that they are being drawn into a street group that "
        "supplies drugs for an organised crime group.",
        "gang_involvement",
    ),
    P_BELONGING: (
        ("csc", "school"),
        "Known to children's services after a disrupted upbringing. Spends time with "
        "peers linked to a street group and appears to be looking for belonging "
        "there.",
        "sense_of_belonging",
    ),
    P_EXPLOITED: (
        ("health", "csc", "police"),
        "Found carrying drugs far from home and showed signs of being controlled by "
        "others. Likely a victim of criminal exploitation; safeguarding comes first.",
        "victim_of_exploitation",
    ),
    P_INTIMATE: (
        ("police", "health"),
        "A partner is believed to be involved in organised crime. Concern that they are "
        "being pressed to store or move drugs, cash or weapons.",
        "intimate_relationships",
    ),
    P_PRISON: (
        ("probation", "police"),
        "Recently released from custody and back in contact with people met in prison who "
        "are linked to organised crime. Struggling to find work and stable housing.",
        "prison_network",
    ),
    P_TECH: (
        ("university", "police"),
        "Has strong IT skills and is active in online communities that trade stolen data "
        "and hacking tools. Concern about recruitment into cyber-enabled fraud.",
        "specialist_technical_skills",
    ),
    P_PROFESSIONAL: (
        ("licensing", "police"),
        "Works in a regulated profession and has clients linked to organised crime. "
        "Unusual transactions suggest they may be used as a professional enabler.",
        "professional_skills",
    ),
    P_ACCESS: (
        ("police",),
        "Has access to sensitive information or premises through work, and contact with "
        "people linked to organised crime suggests a risk of corruption.",
        "criminal_access",
    ),
    P_SKILLS: (
        ("police", "licensing"),
        "Has skills in demand by organised crime groups, such as engineering, driving or "
        "flying, and has recently been approached by a group member.",
        "specialist_criminal_skills",
    ),
    P_FINANCIAL: (
        ("jobcentre", "housing"),
        "Facing serious debt after losing work and has been offered quick money by "
        "people linked to organised crime.",
        "financial_difficulties",
    ),
    P_LATE: (
        ("police",),
        "No history until a recent serious offence; associates are linked to an organised "
        "crime group.",
        "late_serious_offending",
    ),
}
_REFERRER_IDS = {
    "families": FAMILIES,
    "police": POLICE,
    "yjs": YJS,
    "csc": CSC,
    "health": HEALTH,
    "probation": PROBATION,
    "university": UNIVERSITY,
    "licensing": LICENSING,
    "jobcentre": JOBCENTRE,
    "housing": HOUSING,
}


def _referrers(rng: np.random.Generator, w: _World, ag: _Agencies, who: I64) -> Obj:
    age = w.age()[who]
    out = np.empty(len(who), dtype=object)
    for pathway, (kinds, _, _) in _REFERRAL_BY_PATHWAY.items():
        idx = np.flatnonzero(w.pathway[who] == pathway)
        kind = np.array(kinds, dtype=object)[rng.integers(0, len(kinds), len(idx))]
        school = ag.secondary_ids[w.secondary[who[idx]]]
        resolved = np.array([_REFERRER_IDS.get(k, "") for k in kind], dtype=object)
        out[idx] = np.where(kind == "school", np.where(age[idx] < 19, school, POLICE), resolved)
    # Schools are the commonest source of referrals of children, whatever the pathway.
    by_school = (age < 19) & (rng.random(len(who)) < SCHOOL_REFERRAL_SHARE_OF_CHILDREN)
    out[by_school] = ag.secondary_ids[w.secondary[who[by_school]]]
    return out


def _referral_factors(fe: pd.DataFrame, who: I64, default: Obj) -> Obj:
    held = fe[fe["person_id"].isin(who + 1)]
    joined = held.groupby("person_id")["factor_id"].agg(lambda s: ";".join(sorted(s)))
    text = joined.reindex(who + 1).to_numpy(dtype=object)
    missing = pd.isna(text)
    return np.where(missing, default, text).astype(object)


def _build_referrals(w: _World, fe: pd.DataFrame, ag: _Agencies, seed: int) -> pd.DataFrame:
    rng = _rng(seed, "referrals")
    at_risk = np.flatnonzero(~w.cast & (w.involvement == AT_RISK))
    who = _pick(rng, at_risk, max(4, round(len(at_risk) * REFERRAL_SHARE)))
    n = len(who)
    concerns = np.array([""] * 13, dtype=object)
    defaults = np.array([""] * 13, dtype=object)
    for pathway, (_, concern, factor) in _REFERRAL_BY_PATHWAY.items():
        concerns[pathway], defaults[pathway] = concern, factor
    child = w.age()[who] < 18
    consent = np.where(
        child,
        rng.choice(4, size=n, p=[0.4, 0.1, 0.3, 0.2]),
        rng.choice(4, size=n, p=[0.55, 0.15, 0.0, 0.3]),
    )
    stage = rng.permutation(np.arange(n) % len(STAGES))
    cast = list(zip(*_CAST_REFERRALS, strict=True))
    cast_ids = np.array(cast[0], dtype=np.int64) - 1
    generic = pd.DataFrame(
        {
            "person_id": who + 1,
            "referring_agency_id": _referrers(rng, w, ag, who),
            "referred_on": _dates(w.today - _between(rng, 1, 540, n)),
            "concern": concerns[w.pathway[who]],
            "factor_ids": _referral_factors(fe, who, defaults[w.pathway[who]]),
            "consent": np.array(CONSENTS, dtype=object)[consent],
            "stage": np.array(STAGES, dtype=object)[stage],
        }
    )
    cast_frame = pd.DataFrame(
        {
            "person_id": cast_ids + 1,
            "referring_agency_id": np.array(cast[1], dtype=object),
            "referred_on": _dates(np.array([_cast_day(d) for d in cast[2]], dtype=np.int64)),
            "concern": np.array(cast[5], dtype=object),
            "factor_ids": np.array(
                [";".join(sorted(CASE_STUDY_FACTORS[c])) for c in CASE_STUDIES], dtype=object
            ),
            "consent": np.array(cast[3], dtype=object),
            "stage": np.array(cast[4], dtype=object),
        }
    )
    return pd.concat([cast_frame, generic], ignore_index=True)


# --------------------------------------------------------------------------------------------
# Frames
# --------------------------------------------------------------------------------------------


def _people_frame(w: _World) -> pd.DataFrame:
    vocab = _names().vocab
    postcodes = np.append(_postcodes(), "")  # index -1 is "no previous postcode"
    return pd.DataFrame(
        {
            "person_id": np.arange(1, w.n + 1, dtype=np.int64),
            "given_name": vocab[w.given],
            "middle_name": vocab[w.middle],
            "family_name": vocab[w.family],
            "date_of_birth": _dates(w.dob),
            "sex": np.where(w.male, "male", "female").astype(object),
            "ethnicity": np.array(ETHNICITIES, dtype=object)[w.eth],
            "nationality": w.nationality,
            "linked_countries": _join_codes(w.links, COUNTRIES),
            "ward": np.array(WARDS, dtype=object)[w.ward],
            "postcode": postcodes[w.postcode],
            "involvement": np.array(INVOLVEMENTS, dtype=object)[w.involvement],
            "occupation": np.array([o for o, _, _ in _OCCUPATIONS], dtype=object)[w.occupation],
            "previous_postcode": postcodes[w.prev_postcode],
        }
    )


def _case_studies_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person_id": np.arange(1, len(CASE_STUDIES) + 1, dtype=np.int64),
            "case_study": np.array(CASE_STUDIES, dtype=object),
            "summary": np.array(_CASE_SUMMARIES, dtype=object),
        }
    )
