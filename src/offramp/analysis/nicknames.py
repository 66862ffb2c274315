"""Common English given-name equivalents (nicknames and spelling variants).

Partner agencies record the same person as "Robert", "Rob" or "Bobby"; "Mohammed" as
"Muhammad". Each group below is one equivalence class. The record-linkage model and the
person search both use it, and the synthetic area generator draws its noise from it.
"""

_GROUPS: tuple[tuple[str, ...], ...] = (
    ("robert", "rob", "robbie", "bob", "bobby", "bert"),
    ("william", "will", "bill", "billy", "liam", "willie"),
    ("james", "jim", "jimmy", "jamie"),
    ("john", "jon", "johnny", "jack"),
    ("jonathan", "jon", "jonny", "nathan"),
    ("michael", "mike", "mick", "micky", "mikey"),
    ("richard", "rick", "ricky", "dick", "richie"),
    ("thomas", "tom", "tommy"),
    ("christopher", "chris", "kit"),
    ("daniel", "dan", "danny"),
    ("matthew", "matt", "matty"),
    ("anthony", "tony", "ant"),
    ("joseph", "joe", "joey"),
    ("david", "dave", "davey"),
    ("edward", "ed", "eddie", "ted", "ned"),
    ("benjamin", "ben", "benny"),
    ("samuel", "sam", "sammy"),
    ("alexander", "alex", "alec", "sandy", "xander"),
    ("nicholas", "nick", "nicky"),
    ("andrew", "andy", "drew"),
    ("stephen", "steven", "steve", "stevie"),
    ("joshua", "josh"),
    ("callum", "calum", "cal"),
    ("connor", "conor", "con"),
    ("jason", "jay"),
    ("simon", "si"),
    ("paul", "paulie"),
    ("kieran", "kieron", "ciaran"),
    ("mohammed", "muhammad", "mohammad", "mohamed", "muhammed", "mohamad", "mo"),
    ("abdullah", "abdallah", "abdulla"),
    ("oluwaseun", "seun"),
    ("oluwadamilare", "dami", "damilare"),
    ("aleksander", "aleksandr", "alex", "sasha"),
    ("katherine", "catherine", "kathryn", "kate", "katie", "kath", "cathy", "kat"),
    ("elizabeth", "liz", "lizzie", "beth", "betty", "eliza", "libby"),
    ("margaret", "maggie", "meg", "peggy"),
    ("jennifer", "jen", "jenny"),
    ("rebecca", "becky", "becca"),
    ("samantha", "sam", "sammie"),
    ("victoria", "vicky", "tori"),
    ("jessica", "jess", "jessie"),
    ("abigail", "abby", "abbie"),
    ("charlotte", "charlie", "lottie"),
    ("olivia", "liv", "livvy"),
    ("amelia", "millie", "amy"),
    ("emily", "em", "emmy"),
    ("natasha", "tasha", "tash"),
    ("patricia", "pat", "patty", "trish"),
    ("paige", "page"),
    ("aisha", "ayesha", "aysha"),
    ("fatima", "fatimah", "fatma"),
    ("siobhan", "shivaun", "chevonne"),
    ("zainab", "zaynab"),
)


def _build() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = {}
    for group in _GROUPS:
        for name in group:
            table.setdefault(name, set()).update(group)
    return {name: frozenset(variants) for name, variants in table.items()}


NICKNAMES: dict[str, frozenset[str]] = _build()
"""Every known name maps to all the names it may stand for (itself included)."""


def are_equivalent(first: str, second: str) -> bool:
    """True when two normalised given names are the same name or known variants."""
    return first == second or second in NICKNAMES.get(first, frozenset())
