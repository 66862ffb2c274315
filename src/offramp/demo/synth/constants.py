"""The synthetic area's constants: its wards, ethnic groups, factors, countries and calendar."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import numpy.typing as npt

from offramp.partner_records import EXCLUSION_REASONS as DFE_EXCLUSION_REASONS
from offramp.partner_records import (
    OFFENCE_CATEGORIES,
    RELATIONSHIP_KINDS,
)

GENERATOR_VERSION = "1.0.0"
DEFAULT_TODAY = date(2026, 11, 1)
MIN_PEOPLE = 200

Progress = Callable[[str, int, int], None]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]
Obj = npt.NDArray[np.object_]

AREA_NAME = "Hartmoor"
WARDS = (
    "Abbeyfield",
    "Brackley Moor",
    "Castleton",
    "Dunmore",
    "Elmstead",
    "Foxhill",
    "Greenbank",
    "Harwood Vale",
)
_WARD_SHARE = np.array([0.15, 0.14, 0.13, 0.13, 0.12, 0.12, 0.11, 0.10])

ETHNICITIES = (
    "asian_bangladeshi",
    "asian_chinese",
    "asian_indian",
    "asian_pakistani",
    "asian_other",
    "black_african",
    "black_caribbean",
    "black_other",
    "mixed_white_asian",
    "mixed_white_black_african",
    "mixed_white_black_caribbean",
    "mixed_other",
    "white_english_welsh_scottish_ni_british",
    "white_irish",
    "white_gypsy_irish_traveller",
    "white_roma",
    "white_other",
    "other_arab",
    "other_any",
)
_ETH = {name: i for i, name in enumerate(ETHNICITIES)}
# Roughly a diverse English borough (Census 2021 shapes, not any real place).
_ETH_SHARE = np.array(
    [
        0.025,
        0.012,
        0.05,
        0.07,
        0.018,
        0.045,
        0.02,
        0.008,
        0.008,
        0.006,
        0.012,
        0.008,
        0.58,
        0.01,
        0.002,
        0.004,
        0.07,
        0.01,
        0.015,
    ]
)
_ETH_SHARE = _ETH_SHARE / _ETH_SHARE.sum()
# broad group used only to name the child of two parents: white, asian, black african,
# black caribbean, black other, mixed, other
_ETH_GROUP = np.array([1, 1, 1, 1, 1, 2, 3, 4, 5, 5, 5, 5, 0, 0, 0, 0, 0, 6, 6])

INVOLVEMENTS = ("none", "at_risk", "organised_criminal")
NONE, AT_RISK, OC = 0, 1, 2

FACTOR_IDS = (
    "early_prolific_offending",
    "gang_involvement",
    "late_serious_offending",
    "specialist_technical_skills",
    "specialist_criminal_skills",
    "professional_skills",
    "criminal_access",
    "family_network",
    "intimate_relationships",
    "associates",
    "prison_network",
    "online_network",
    "sense_of_belonging",
    "victim_of_exploitation",
    "transitional_periods",
    "pro_criminal_attitudes",
    "financial_difficulties",
    "power_and_status",
)
_CAT = {name: i for i, name in enumerate(OFFENCE_CATEGORIES)}
_NFA, _CUSTODY, _COMMUNITY, _YOUTH_CAUTION = 5, 3, 2, 1
_K = {name: i for i, name in enumerate(RELATIONSHIP_KINDS)}
_FAMILY_KINDS = np.array([_K["family_parent"], _K["family_sibling"], _K["family_other"]])
IDENTIFIER_TYPES = (
    "pnc",
    "nhs_number",
    "upn",
    "social_care_id",
    "yos_id",
    "prison_number",
    "probation_crn",
)
# Schools here record the first ten of the DfE's categories.
EXCLUSION_REASONS = DFE_EXCLUSION_REASONS[:10]
_EXCLUSION_REASON_P = np.array([0.35, 0.14, 0.06, 0.1, 0.05, 0.07, 0.04, 0.05, 0.04, 0.1])
CONSENTS = ("given", "refused", "not_sought", "not_yet_asked")
STAGES = ("new", "screening", "assessed", "closed")
CASE_STUDIES = ("simon", "misha", "paul", "jason", "david", "connor", "daniel", "paige")

# Countries a person or group can be linked to; the guide's source and transit countries first.
COUNTRIES = (
    "NL",
    "TR",
    "PK",
    "NG",
    "GH",
    "AL",
    "RO",
    "PL",
    "LT",
    "VN",
    "IE",
    "BD",
    "IN",
    "CN",
    "HK",
    "MY",
    "LK",
    "AF",
    "NP",
    "PH",
    "SO",
    "ZW",
    "JM",
    "SK",
    "CZ",
    "LV",
    "IT",
    "PT",
    "ES",
    "BG",
    "HU",
    "IQ",
    "SY",
    "EG",
    "MA",
    "SD",
    "ER",
    "KE",
    "LR",
    "FR",
)
_CC = {code: i for i, code in enumerate(COUNTRIES)}
_SOURCE_COUNTRIES = ("NL", "TR", "PK", "NG", "GH", "AL", "RO", "PL", "LT", "VN")

_YEAR = 365.2425
_MONTH = 30.436875
