"""The guide's case studies (people 1..8) and their supporting cast (9..25): fixed at every size."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from .agencies import FAMILIES, HEALTH, JOBCENTRE, POLICE, PROBATION, ROCU, YJS
from .constants import AT_RISK, NONE, OC
from .vectors import _NAT, _day

# --------------------------------------------------------------------------------------------
# The case studies (people 1..8) and their supporting cast (9..25): fixed at every size.
# --------------------------------------------------------------------------------------------

_WB = "white_english_welsh_scottish_ni_british"
# id, given, middle, family, dob, male, ethnicity, occupation, involvement, household, role,
# ward, linked countries
_CAST: tuple[tuple[Any, ...], ...] = (
    (1, "Simon", "Lee", "Hale", "1999-03-14", True, _WB, "", OC, 1, 0, 2, ""),
    (
        2,
        "Misha",
        "Anne",
        "Novak",
        "1976-06-02",
        False,
        "white_other",
        "solicitor",
        OC,
        2,
        0,
        4,
        "LR",
    ),
    (
        3,
        "Paul",
        "Andrew",
        "Byrne",
        "2007-01-20",
        True,
        "white_irish",
        "student_pilot",
        AT_RISK,
        3,
        2,
        1,
        "",
    ),
    (4, "Jason", "Mark", "Fletcher", "1995-09-08", True, _WB, "it_graduate", OC, 4, 0, 3, ""),
    (5, "David", "John", "Marsh", "1961-04-30", True, _WB, "welder", OC, 5, 0, 6, ""),
    (6, "Connor", "James", "Walsh", "2008-07-11", True, _WB, "", AT_RISK, 6, 0, 0, ""),
    (
        7,
        "Daniel",
        "Thomas",
        "Reid",
        "2011-10-03",
        True,
        "mixed_white_black_caribbean",
        "",
        AT_RISK,
        7,
        2,
        5,
        "",
    ),
    (8, "Paige", "Louise", "Turner", "2003-05-22", False, _WB, "", AT_RISK, 8, 0, 7, ""),
    (9, "Ryan", "Scott", "Holt", "1994-08-19", True, _WB, "", OC, 9, 0, 2, ""),
    (10, "Gary", "Wayne", "Dixon", "1980-02-11", True, _WB, "", OC, 10, 0, 2, "NL"),
    (11, "Marcus", "Anthony", "Shaw", "1972-12-05", True, _WB, "", OC, 11, 0, 4, "LR"),
    (12, "Richard", "Paul", "Byrne", "1966-05-17", True, "white_irish", "pilot", OC, 3, 0, 1, "NL"),
    (13, "Karen", "Ann", "Byrne", "1969-09-30", False, "white_irish", "", OC, 3, 1, 1, ""),
    (14, "Keith", "Anthony", "Barker", "1968-03-03", True, _WB, "", OC, 14, 0, 6, ""),
    (15, "Kyle", "Dean", "Foster", "2004-06-21", True, _WB, "", OC, 15, 0, 0, ""),
    (
        16,
        "Jordan",
        "Lee",
        "Reid",
        "2006-04-14",
        True,
        "mixed_white_black_caribbean",
        "",
        OC,
        7,
        2,
        5,
        "",
    ),
    (17, "Ruby", "", "Turner", "2024-02-10", False, _WB, "", NONE, 8, 2, 7, ""),
    (18, "Tracey", "Ann", "Turner", "1978-07-08", False, _WB, "", NONE, 18, 0, 7, ""),
    (19, "Donna", "Marie", "Reid", "1982-01-25", False, _WB, "", NONE, 7, 0, 5, ""),
    (
        20,
        "Liam",
        "Robert",
        "Price",
        "1990-10-16",
        True,
        _WB,
        "software_developer",
        OC,
        20,
        0,
        3,
        "",
    ),
    (21, "Sanjay", "Kumar", "Patel", "1975-10-12", True, "asian_indian", "", OC, 21, 0, 4, ""),
    (22, "Colin", "Peter", "Hughes", "1970-01-29", True, _WB, "", OC, 22, 0, 4, "NG"),
    (23, "Nathan", "Kwame", "Osei", "1998-11-02", True, "black_african", "", OC, 23, 0, 2, ""),
    (24, "Oliver", "James", "Webb", "1995-12-01", True, _WB, "", NONE, 24, 0, 3, ""),
    (25, "Adam", "Ali", "Hussain", "1993-05-05", True, "asian_pakistani", "", OC, 25, 0, 3, ""),
)
N_CAST = len(_CAST)
_CAST_MOVED = {7: 0, 16: 0, 19: 0}  # Daniel's family moved from Abbeyfield (guide 3.7 'Daniel')

# group id, reference, name, crime types, linked countries, status
_CAST_GROUPS = (
    (
        1,
        "Granite Kestrel",
        "drugs_supply_class_a;drugs_supply_class_b;money_laundering",
        "NL",
        "active",
    ),
    (2, "Amber Lapwing", "fraud;money_laundering", "LR", "disrupted"),
    (3, "Slate Heron", "fraud", "", "dormant"),
    (4, "Copper Wren", "fraud;modern_slavery", "NG", "disrupted"),
    (5, "Indigo Merlin", "fraud;cyber_crime", "", "disrupted"),
    (6, "Flint Badger", "firearms", "", "disrupted"),
    (7, "Sable Osprey", "drugs_supply_class_a;money_laundering", "NL", "disrupted"),
)
# person, group, role, start, end ("" = ongoing), source
_CAST_MEMBERSHIPS = (
    (10, 1, "principal", "2012-01-01", "", ROCU),
    (9, 1, "core", "2016-03-01", "2021-05-04", POLICE),
    (1, 1, "core", "2021-06-15", "", POLICE),
    (23, 1, "core", "2019-01-10", "", POLICE),
    (15, 1, "peripheral", "2020-06-01", "", POLICE),
    (16, 1, "peripheral", "2022-09-01", "", POLICE),
    (11, 2, "principal", "2015-02-01", "2022-02-01", ROCU),
    (2, 2, "enabler", "2018-04-01", "2021-03-15", ROCU),
    (21, 3, "principal", "2014-05-01", "", ROCU),
    (2, 3, "enabler", "2019-06-01", "2021-03-15", ROCU),
    (22, 4, "principal", "2013-09-01", "2021-09-20", ROCU),
    (2, 4, "enabler", "2020-01-10", "2021-03-15", ROCU),
    (20, 5, "principal", "2016-02-01", "2019-11-20", ROCU),
    (4, 5, "core", "2017-05-01", "2019-11-20", ROCU),
    (25, 5, "core", "2017-01-01", "2019-11-20", ROCU),
    (14, 6, "principal", "2010-01-01", "2013-06-12", ROCU),
    (5, 6, "enabler", "2011-09-01", "2013-06-12", ROCU),
    (12, 7, "principal", "2008-03-01", "2022-05-10", ROCU),
    (13, 7, "enabler", "2010-06-01", "2022-05-10", ROCU),
)
# person, date, category, outcome, custodial sentence months (0 if none), recording agency
_CAST_OFFENCES = (
    (1, "2011-06-10", "theft", "youth_caution", 0, POLICE),
    (1, "2012-09-03", "criminal_damage", "youth_caution", 0, POLICE),
    (1, "2014-05-20", "robbery", "conviction_community", 0, POLICE),
    (1, "2015-08-14", "drugs_supply_class_b", "conviction_community", 0, POLICE),
    (1, "2016-11-02", "weapons_possession", "conviction_community", 0, POLICE),
    (1, "2019-07-12", "drugs_supply_class_a", "conviction_custody", 30, POLICE),
    (1, "2023-04-18", "drugs_supply_class_a", "conviction_custody", 96, ROCU),
    (1, "2023-04-18", "money_laundering", "conviction_custody", 96, ROCU),
    (2, "2021-03-15", "fraud", "conviction_custody", 60, ROCU),
    (4, "2019-11-20", "fraud", "conviction_custody", 48, ROCU),
    (5, "2013-06-12", "firearms", "conviction_custody", 204, ROCU),
    (6, "2021-09-10", "drugs_supply_class_b", "youth_caution", 0, POLICE),
    (6, "2022-03-22", "drugs_supply_class_a", "conviction_community", 0, POLICE),
    (6, "2023-01-15", "drugs_supply_class_a", "conviction_community", 0, POLICE),
    (6, "2023-10-05", "weapons_possession", "conviction_community", 0, POLICE),
    (7, "2026-02-14", "theft", "youth_caution", 0, POLICE),
    (8, "2024-09-30", "drugs_supply_class_b", "caution", 0, POLICE),
    (9, "2010-05-11", "theft", "youth_caution", 0, POLICE),
    (9, "2011-03-02", "violence", "conviction_community", 0, POLICE),
    (9, "2015-07-21", "drugs_supply_class_b", "caution", 0, POLICE),
    (9, "2021-05-04", "drugs_supply_class_a", "conviction_custody", 144, POLICE),
    (10, "1996-07-09", "burglary", "youth_caution", 0, POLICE),
    (10, "2004-03-17", "drugs_supply_class_a", "conviction_custody", 48, POLICE),
    (10, "2016-10-04", "money_laundering", "no_further_action", 0, ROCU),
    (11, "2022-02-01", "fraud", "conviction_custody", 84, ROCU),
    (12, "2022-05-10", "drugs_supply_class_a", "conviction_custody", 216, ROCU),
    (13, "2022-05-10", "money_laundering", "conviction_custody", 18, ROCU),
    (14, "1984-08-20", "theft", "youth_caution", 0, POLICE),
    (14, "2013-06-12", "firearms", "conviction_custody", 240, ROCU),
    (15, "2018-09-12", "theft", "youth_caution", 0, POLICE),
    (15, "2019-04-03", "drugs_supply_class_b", "conviction_community", 0, POLICE),
    (15, "2020-11-25", "robbery", "conviction_community", 0, POLICE),
    (15, "2023-03-08", "drugs_supply_class_a", "conviction_custody", 30, POLICE),
    (16, "2021-08-19", "drugs_supply_class_b", "youth_caution", 0, POLICE),
    (16, "2023-02-07", "drugs_supply_class_a", "conviction_community", 0, POLICE),
    (16, "2025-06-12", "drugs_supply_class_a", "no_further_action", 0, POLICE),
    (20, "2006-05-18", "criminal_damage", "youth_caution", 0, POLICE),
    (20, "2019-11-20", "fraud", "conviction_custody", 72, ROCU),
    (21, "1992-05-06", "theft", "youth_caution", 0, POLICE),
    (21, "2021-06-09", "fraud", "conviction_custody", 42, ROCU),
    (22, "1986-06-30", "theft", "youth_caution", 0, POLICE),
    (22, "2021-09-20", "fraud", "conviction_custody", 60, ROCU),
    (23, "2013-02-14", "theft", "youth_caution", 0, POLICE),
    (23, "2014-06-25", "robbery", "conviction_community", 0, POLICE),
    (23, "2020-08-13", "drugs_supply_class_a", "conviction_custody", 36, POLICE),
    (25, "2019-11-20", "fraud", "conviction_custody", 36, ROCU),
)
# a, b, kind, start, end, source, confidence (household ties are generated like everyone's)
_CAST_TIES = (
    (10, 1, "co_offender", "2021-06-15", "", POLICE, "high"),
    (9, 10, "co_offender", "2016-03-01", "", POLICE, "high"),
    (1, 9, "associate_peer", "2011-01-01", "", POLICE, "medium"),
    (1, 23, "associate_peer", "2010-09-01", "", POLICE, "medium"),
    (1, 15, "associate_peer", "2020-06-01", "", POLICE, "medium"),
    (10, 23, "co_offender", "2019-01-10", "", POLICE, "high"),
    (15, 16, "co_offender", "2022-09-01", "", POLICE, "high"),
    (10, 15, "associate_peer", "2020-06-01", "", POLICE, "medium"),
    (2, 11, "intimate_partner", "2017-08-01", "", ROCU, "high"),
    (2, 21, "associate_client", "2019-06-01", "", ROCU, "high"),
    (2, 22, "associate_client", "2020-01-10", "", ROCU, "high"),
    (11, 21, "associate_peer", "2018-01-01", "", ROCU, "medium"),
    (4, 20, "online", "2016-09-01", "", ROCU, "high"),
    (4, 25, "co_offender", "2017-05-01", "", ROCU, "high"),
    (20, 25, "online", "2017-01-01", "", ROCU, "high"),
    (4, 24, "associate_peer", "2007-09-01", "", POLICE, "low"),
    (5, 14, "business", "2010-03-01", "", ROCU, "high"),
    (6, 15, "associate_peer", "2020-09-01", "", POLICE, "medium"),
    (6, 16, "associate_peer", "2021-01-01", "", POLICE, "medium"),
    (7, 15, "associate_peer", "2024-09-01", "", POLICE, "medium"),
    (18, 8, "family_parent", "2003-05-22", "", HEALTH, "high"),
)
# person, factor, status, evidence, source, observed on (factors with no record of their own)
_CAST_SOFT_FACTORS = (
    (
        5,
        "financial_difficulties",
        "present",
        "Business failed during the recession, leaving significant debts.",
        PROBATION,
        "2013-09-02",
    ),
    (
        8,
        "financial_difficulties",
        "present",
        "Claiming Universal Credit and in rent arrears with a young child.",
        JOBCENTRE,
        "2024-08-01",
    ),
    (
        8,
        "pro_criminal_attitudes",
        "possible",
        "Said at interview that selling cannabis to relatives harmed nobody.",
        POLICE,
        "2024-09-30",
    ),
    (
        7,
        "financial_difficulties",
        "possible",
        "Household on a low income in an area of high unemployment.",
        FAMILIES,
        "2025-06-01",
    ),
)
# person, kind, start, end, order or reason
_CAST_CARE = ((7, "child_in_need", "2025-06-01", ""),)
_CAST_YOS = (
    (1, "referral_order", "2014-07-01", "2015-01-01"),
    (6, "referral_order", "2022-04-20", "2022-12-20"),
    (6, "youth_rehabilitation_order", "2023-02-15", "2024-02-15"),
)
_CAST_EXCLUSIONS = (
    (1, "2012-10-01", "fixed_term", "physical_assault_against_pupil"),
    (1, "2014-03-03", "permanent", "persistent_disruptive_behaviour"),
    (6, "2022-01-10", "fixed_term", "drug_and_alcohol_related"),
    (7, "2025-05-09", "permanent", "persistent_disruptive_behaviour"),
)
# the factors the guide puts in bold for each case study (and the agency that referred them)
CASE_STUDY_FACTORS: Mapping[str, frozenset[str]] = {
    "simon": frozenset({"early_prolific_offending", "gang_involvement"}),
    "misha": frozenset({"intimate_relationships", "professional_skills", "criminal_access"}),
    "paul": frozenset({"family_network", "specialist_criminal_skills"}),
    "jason": frozenset({"specialist_technical_skills", "associates", "online_network"}),
    "david": frozenset({"financial_difficulties", "specialist_criminal_skills"}),
    "connor": frozenset({"gang_involvement", "early_prolific_offending"}),
    "daniel": frozenset({"gang_involvement", "family_network"}),
    "paige": frozenset({"financial_difficulties", "pro_criminal_attitudes"}),
}
_CASE_SUMMARIES = (
    "Drawn from street crime in a gang into a local organised crime group, taking over from an "
    "arrested member; later convicted of importing and supplying drugs and money laundering.",
    "A solicitor with no previous convictions, drawn in through a partner in an organised crime "
    "group: mortgage fraud, then backdated property papers and false identity documents for "
    "other groups. Sentenced to five years for fraud.",
    "Took flying lessons paid for by a father who used his pilot's skills for international drug "
    "trafficking; both parents were imprisoned for trafficking and laundering the proceeds.",
    "An IT student who learned card fraud on a website, became a moderator there and bought "
    "property with the proceeds. Imprisoned for four years; a Serious Crime Prevention Order "
    "followed release.",
    "A skilled welder and businessman who, after his business failed in the recession, converted "
    "decommissioned weapons into working firearms for a group met through an associate.",
    "Heavily involved in a gang with convictions for supplying drugs at a young age; a mentor on "
    "a Pathways Out style programme (Ending Gang and Youth Violence) helped him into training "
    "and work.",
    "Associated with a street gang, was permanently excluded and arrested for vehicle theft; an "
    "older brother is linked to drug supply. The family were supported by the Supporting "
    "Families programme and moved to another part of the borough.",
    "A young mother in financial difficulty, cautioned for selling cannabis to relatives, with a "
    "condition to attend Victim Support's Victim Awareness Course.",
)
# person, referring agency, referred on, consent, stage, concern
_CAST_REFERRALS = (
    (
        1,
        POLICE,
        "2026-05-11",
        "refused",
        "assessed",
        "Long-standing member of a local drug supply group, recently convicted again. Referred to "
        "consider offender management and deterrence alongside Pursue activity.",
    ),
    (
        2,
        PROBATION,
        "2024-02-01",
        "given",
        "closed",
        "Released on licence after a fraud sentence. Professional skills were exploited by several "
        "groups through a partner; support to avoid renewed contact is needed.",
    ),
    (
        3,
        POLICE,
        "2026-09-14",
        "not_yet_asked",
        "screening",
        "Both parents are serving sentences for drug trafficking and laundering. Is training as a "
        "pilot, paid for from family money, and may be targeted by the same network.",
    ),
    (
        4,
        PROBATION,
        "2025-11-03",
        "given",
        "assessed",
        "Released after a card fraud sentence and subject to a Serious Crime Prevention Order. "
        "Still has strong IT skills and online contacts from a fraud forum.",
    ),
    (
        5,
        PROBATION,
        "2022-05-16",
        "given",
        "closed",
        "Released on licence after converting weapons for a group. Debts from a failed business "
        "remain; engineering skills make re-approach likely.",
    ),
    (
        6,
        YJS,
        "2023-11-20",
        "given",
        "closed",
        "Young person with several drug supply convictions and links to a street gang supplying "
        "drugs for an organised group. Suitable for a gang exit and mentoring programme.",
    ),
    (
        7,
        FAMILIES,
        "2025-06-01",
        "given",
        "assessed",
        "Permanently excluded from secondary school, spends time with a street gang and has "
        "been arrested for vehicle theft. An older sibling is linked to drug supply; "
        "whole-family support is proposed.",
    ),
    (
        8,
        POLICE,
        "2026-10-20",
        "given",
        "new",
        "Cautioned for selling cannabis to relatives; money worries as a young parent. "
        "Referred for a victim awareness course and help with debts.",
    ),
)


def _cast_day(text: object) -> int:
    return _day(date.fromisoformat(str(text))) if text else _NAT
