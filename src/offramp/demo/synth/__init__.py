"""A fast, reproducible synthetic UK area ("Hartmoor") for Offramp demos, tests and benchmarks.

`generate_area` builds a whole borough with vectorised numpy from one seed: people in households,
partner agencies, organised crime groups and their members, the at-risk periphery around them,
the records agencies hold (offences, custody, youth justice, children's social care, school
exclusions), a relationship network, agency identifiers, evidence for the guide's risk factors,
the guide's eight case studies and a seed of referrals. `write_partner_extracts` writes the files
partner agencies would export, with realistic noise, plus the ground truth that links them.

Calibration follows the Home Office Prevent guide (2015): ~0.7% of people are organised
criminals in groups of about seven (¶1.3), just under 25% of them are under 25 (¶2.7, Figure 2),
~87% are male (Figure 3) and 57% were sanctioned before 18 (¶2.7, footnote 7).

Ethnicity, sex and age are never risk inputs. Ethnicity is drawn before anything else and no
later step reads it, so it is independent of involvement and of every risk factor. Age and sex
are used only to select organised criminals so that the group matches the guide's *descriptive*
statistics; at-risk people are selected on age alone (the guide's periphery is mostly young) and
every factor is derived from records, never from sex or ethnicity.
"""

from offramp.partner_records import OFFENCE_CATEGORIES, RELATIONSHIP_KINDS

from .area import SyntheticArea, generate_area
from .cast import CASE_STUDY_FACTORS
from .constants import (
    CASE_STUDIES,
    DEFAULT_TODAY,
    ETHNICITIES,
    FACTOR_IDS,
    GENERATOR_VERSION,
    IDENTIFIER_TYPES,
    INVOLVEMENTS,
    MIN_PEOPLE,
    WARDS,
)
from .extracts import EXTRACT_FILES, write_partner_extracts

__all__ = [
    "CASE_STUDIES",
    "CASE_STUDY_FACTORS",
    "DEFAULT_TODAY",
    "ETHNICITIES",
    "EXTRACT_FILES",
    "FACTOR_IDS",
    "GENERATOR_VERSION",
    "IDENTIFIER_TYPES",
    "INVOLVEMENTS",
    "MIN_PEOPLE",
    "OFFENCE_CATEGORIES",
    "RELATIONSHIP_KINDS",
    "WARDS",
    "SyntheticArea",
    "generate_area",
    "write_partner_extracts",
]
