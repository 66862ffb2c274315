"""The vocabulary of partners' records: the values a police, children's social care, school,
youth justice or OCG mapping system records. One list each, shared by the synthetic generator
(`offramp.demo.synth`) that writes extracts and the importer (`offramp.intake`) that checks them.
No Django."""

OFFENCE_CATEGORIES = (
    "drugs_supply_class_a",
    "drugs_supply_class_b",
    "drugs_possession",
    "violence",
    "robbery",
    "burglary",
    "theft",
    "fraud",
    "money_laundering",
    "firearms",
    "weapons_possession",
    "modern_slavery",
    "cyber_crime",
    "indecent_images",
    "criminal_damage",
    "public_order",
)
OUTCOMES = (
    "caution",
    "youth_caution",
    "conviction_community",
    "conviction_custody",
    "fine",
    "no_further_action",
)
RELATIONSHIP_KINDS = (
    "family_parent",
    "family_sibling",
    "family_other",
    "intimate_partner",
    "associate_peer",
    "associate_colleague",
    "associate_client",
    "associate_neighbour",
    "co_offender",
    "prison",
    "online",
    "business",
)
GROUP_ROLES = ("principal", "core", "peripheral", "enabler")
GROUP_STATUSES = ("active", "dormant", "disrupted")
CARE_EPISODES = ("looked_after", "child_in_need", "child_protection")
YOUTH_ORDERS = (
    "youth_conditional_caution",
    "referral_order",
    "youth_rehabilitation_order",
    "detention_and_training_order",
)
# The Department for Education's reason categories for an exclusion.
EXCLUSION_REASONS = (
    "persistent_disruptive_behaviour",
    "physical_assault_against_pupil",
    "physical_assault_against_adult",
    "verbal_abuse_against_adult",
    "verbal_abuse_against_pupil",
    "drug_and_alcohol_related",
    "use_or_threat_of_offensive_weapon",
    "damage",
    "theft",
    "bullying",
    "sexual_misconduct",
    "racist_abuse",
    "other",
)
