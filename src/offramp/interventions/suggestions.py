"""Suggested interventions for one person, ranked, each with its reasons; and the gaps.

Pure: plain dataclasses in and out, no database, so the rules can be read and tested alone.
The selectors build the inputs (selectors.suggestions_for_case / suggestions_for_person).

Ranking, first difference wins (docs/interventions.md says why):
1. open to the person's age: a programme they cannot join comes after every one they can;
2. how many of the factors judged present it addresses;
3. whether it works with the crime types of concern;
4. whether it has a free place: a full programme is still listed, lower;
5. how many factors judged possible it addresses (weaker evidence than present);
6. focus: the share of its own factors that are present, so a programme built for the need
   comes before a broad service that touches it in passing;
7. strength of evidence; then name and id, so equal programmes always come out in one order.

Gaps are the factors judged present that no programme open to the person addresses.

Age decides only whether a person can join a programme, never how concerning they are; sex and
ethnicity are not inputs at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from offramp.framework import Framework

# Strongest first; the values of models.EvidenceStrength.
EVIDENCE_ORDER = ("strong", "promising", "practice", "emerging")
SAFEGUARD_FIRST = (
    "A possible victim is safeguarded first, through the route: children's or adults' "
    "safeguarding, or the National Referral Mechanism."
)


@dataclass(frozen=True)
class Needs:
    """What the latest completed assessment says about the person, and their age."""

    present: frozenset[str]
    possible: frozenset[str] = frozenset()
    age: int | None = None
    # Recorded in the assessment; when empty, those of the factors present are used.
    crime_types: frozenset[str] = frozenset()


@dataclass(frozen=True)
class ProgrammeOption:
    """A programme on offer (retired ones are never passed in)."""

    id: int
    name: str
    factor_ids: tuple[str, ...]
    evidence: str
    evidence_label: str
    min_age: int | None = None
    max_age: int | None = None
    crime_types: frozenset[str] = frozenset()  # empty: any crime type
    capacity: int | None = None  # None: no fixed number of places
    in_use: int = 0
    factor_notes: Mapping[str, str] = field(default_factory=dict)
    eligibility: str = ""

    @property
    def free_places(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.in_use, 0)

    def open_to(self, age: int | None) -> bool:
        """Unknown ages are let through: the reasons ask the panel to check."""
        if age is None:
            return True
        too_young = self.min_age is not None and age < self.min_age
        too_old = self.max_age is not None and age > self.max_age
        return not (too_young or too_old)


@dataclass(frozen=True)
class Suggestion:
    programme_id: int
    name: str
    addresses: tuple[str, ...]  # factor ids judged present, in framework order
    also_possible: tuple[str, ...]  # factor ids judged possible
    age_fits: bool
    crime_type_fits: bool
    free_places: int | None
    reasons: tuple[str, ...]
    basis: tuple[str, ...]  # why it addresses each of those factors, from the catalogue

    @property
    def full(self) -> bool:
        return self.free_places == 0


@dataclass(frozen=True)
class Gap:
    factor_id: str
    factor_name: str
    reason: str


@dataclass(frozen=True)
class Suggestions:
    suggestions: tuple[Suggestion, ...]
    gaps: tuple[Gap, ...]
    notes: tuple[str, ...]


# --- phrases (age ranges are also shown on the catalogue pages) ------------------------------


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


def age_range_text(min_age: int | None, max_age: int | None) -> str:
    """ "ages 10 to 24", "ages 18 and over", "all ages"."""
    if min_age is None and max_age is None:
        return "all ages"
    if max_age is None:
        return f"ages {min_age} and over"
    if min_age is None:
        return f"ages up to {max_age}"
    return f"ages {min_age} to {max_age}"


def _places(capacity: int | None, in_use: int) -> str:
    if capacity is None:
        return "No fixed number of places"
    free = capacity - in_use
    if free > 0:
        return f"{free} of {capacity} places free"
    if free == 0:
        return f"No free places: all {capacity} in use"
    return f"No free places: {in_use} in use for {capacity} places"


# --- ranking ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    """What every programme is compared with, worked out once."""

    needs: Needs
    names: Mapping[str, str]  # factor names by id, in framework order
    crime_names: Mapping[str, str]  # crime type names by id, in framework order
    concern: frozenset[str]  # crime types of concern, recorded or taken from the factors

    def in_order(self, factor_ids: Iterable[str]) -> tuple[str, ...]:
        return _framework_order(factor_ids, self.names)

    def named(self, factor_ids: Iterable[str]) -> str:
        return _join([self.names.get(f, f) for f in factor_ids])

    def crimes(self, crime_types: Iterable[str]) -> str:
        ordered = _framework_order(crime_types, self.crime_names)
        return _join([self.crime_names.get(c, c) for c in ordered])


def _framework_order(ids: Iterable[str], names: Mapping[str, str]) -> tuple[str, ...]:
    """Ids in the framework's order; any it no longer has (a removed extension) last."""
    position = {item: index for index, item in enumerate(names)}
    return tuple(sorted(ids, key=lambda item: (position.get(item, len(position)), item)))


def _how_many(addressed: int, present: int) -> str:
    if present == 1:
        return "the factor present"
    if addressed == present:
        return "both factors present" if present == 2 else f"all {present} factors present"
    return f"{addressed} of the {present} factors present"


def _factor_reasons(
    context: _Context, addresses: Sequence[str], possible: Sequence[str]
) -> list[str]:
    reasons = []
    if addresses:
        how_many = _how_many(len(addresses), len(context.needs.present))
        reasons.append(f"Addresses {how_many}: {context.named(addresses)}.")
    if possible:
        also = "Also addresses" if addresses else "Addresses"
        reasons.append(f"{also} {context.named(possible)}, judged possible.")
    return reasons


def _age_reason(option: ProgrammeOption, age: int | None, fits: bool) -> str:
    if option.min_age is None and option.max_age is None:
        return "Open to all ages."
    ages = age_range_text(option.min_age, option.max_age)
    if age is None:
        return f"Age not known: check it, as the programme is for {ages}."
    if fits:
        return f"Open to them at {age}: it is for {ages}."
    return f"Not open to them at {age}: it is for {ages}."


def _crime_reason(context: _Context, option: ProgrammeOption, fits: bool) -> str:
    if not option.crime_types:
        return "Works with any crime type."
    if not context.concern:
        return f"Works with {context.crimes(option.crime_types)}; no crime type is of concern yet."
    if fits:
        shared = option.crime_types & context.concern
        return f"Works with {context.crimes(shared)}, of concern here."
    return (
        f"Works with {context.crimes(option.crime_types)}, not the crime types of concern "
        f"({context.crimes(context.concern)})."
    )


def _suggestion(
    context: _Context, option: ProgrammeOption
) -> tuple[tuple[object, ...], Suggestion]:
    needs = context.needs
    addresses = context.in_order(needs.present.intersection(option.factor_ids))
    possible = context.in_order(needs.possible.intersection(option.factor_ids))
    age_fits = option.open_to(needs.age)
    crime_fits = (
        not option.crime_types or not context.concern or bool(option.crime_types & context.concern)
    )
    reasons = [
        *_factor_reasons(context, addresses, possible),
        _age_reason(option, needs.age, age_fits),
        _crime_reason(context, option, crime_fits),
        f"{_places(option.capacity, option.in_use)}.",
        f"Evidence: {option.evidence_label}.",
    ]
    if option.eligibility:
        reasons.append(f"Check: {option.eligibility}")
    suggestion = Suggestion(
        programme_id=option.id,
        name=option.name,
        addresses=addresses,
        also_possible=possible,
        age_fits=age_fits,
        crime_type_fits=crime_fits,
        free_places=option.free_places,
        reasons=tuple(reasons),
        basis=tuple(
            f"{context.names.get(f, f)}: {option.factor_notes[f]}"
            for f in (*addresses, *possible)
            if option.factor_notes.get(f)
        ),
    )
    evidence_rank = (
        EVIDENCE_ORDER.index(option.evidence)
        if option.evidence in EVIDENCE_ORDER
        else len(EVIDENCE_ORDER)
    )
    key = (
        not age_fits,
        -len(addresses),
        not crime_fits,
        suggestion.full,
        -len(possible),
        -Fraction(len(addresses), len(option.factor_ids)),
        evidence_rank,
        option.name.casefold(),
        option.id,
    )
    return key, suggestion


def _gaps(
    context: _Context, programmes: Sequence[ProgrammeOption], framework: Framework
) -> list[Gap]:
    age = context.needs.age
    gaps = []
    for factor in framework.factors:
        if factor.id not in context.needs.present:
            continue
        covering = [p for p in programmes if factor.id in p.factor_ids]
        if any(p.open_to(age) for p in covering):
            continue
        if covering:
            barred = _join([f"{p.name} ({age_range_text(p.min_age, p.max_age)})" for p in covering])
            reason = f"Only programmes not open to them at {age} address it: {barred}."
        else:
            reason = "No programme in the catalogue addresses it."
        if factor.safeguarding_first:
            reason = f"{reason} {SAFEGUARD_FIRST}"
        gaps.append(Gap(factor_id=factor.id, factor_name=factor.name, reason=reason))
    return gaps


def _context(needs: Needs, framework: Framework) -> tuple[_Context, list[str]]:
    notes: list[str] = []
    concern = needs.crime_types or frozenset(
        crime
        for factor in framework.factors
        if factor.id in needs.present
        for crime in factor.crime_types
    )
    crime_names = {crime.id: crime.name for crime in framework.crime_types}
    context = _Context(
        needs=needs,
        names={factor.id: factor.name for factor in framework.factors},
        crime_names=crime_names,
        concern=concern,
    )
    if concern and not needs.crime_types:
        notes.append(
            "The assessment records no crime types, so those linked to the factors present "
            f"are used: {context.crimes(concern)}."
        )
    return context, notes


def suggest(
    *,
    needs: Needs,
    programmes: Sequence[ProgrammeOption],
    framework: Framework,
    in_plan: frozenset[int] = frozenset(),
) -> Suggestions:
    """Ranks the programmes on offer against the person's needs, and finds the gaps.

    Programmes already in the person's plan (`in_plan`) are not suggested again, but they do
    close gaps. Programmes that address none of the factors present or possible are left out.
    """
    context, notes = _context(needs, framework)
    if not needs.present and not needs.possible:
        notes.append("No factor is recorded as present or possible, so nothing can be matched.")
    if needs.possible:
        notes.append(
            "Factors judged possible rank a programme only after those judged present, "
            "and are never shown as gaps."
        )
    wanted = needs.present | needs.possible
    ranked = sorted(
        (
            _suggestion(context, option)
            for option in programmes
            if option.id not in in_plan and wanted.intersection(option.factor_ids)
        ),
        key=lambda pair: pair[0],
    )
    return Suggestions(
        suggestions=tuple(suggestion for _, suggestion in ranked),
        gaps=tuple(_gaps(context, programmes, framework)),
        notes=tuple(notes),
    )
