"""A small partnership's partner extracts, made by hand with known truth.

Forty people; the police hold thirty of them as recorded, the youth offending service holds
twenty, fifteen of whom the police hold too, under the variants partner systems produce:
nicknames, day and month swapped, a typing error in the family name. ``truth`` maps each
source record to the person it really is.
"""

import datetime
import itertools
from dataclasses import dataclass

import pytest

from offramp.accounts.models import User
from offramp.agencies.models import Agency
from offramp.intake.models import ExtractKind, ImportBatch, SourceRecord
from offramp.people.models import Person
from offramp.referrals.models import Referral

GIVEN = [
    ("Robert", "Bob"),
    ("William", "Bill"),
    ("Elizabeth", "Liz"),
    ("Katherine", "Kate"),
    ("Michael", "Mike"),
    ("Jennifer", "Jen"),
    ("Thomas", "Tom"),
    ("Margaret", "Maggie"),
    ("Daniel", "Danny"),
    ("Rebecca", "Becky"),
    ("Anthony", "Tony"),
    ("Samantha", "Sam"),
    ("Joseph", "Joe"),
    ("Victoria", "Vicky"),
    ("Christopher", "Chris"),
    ("Alexander", "Alex"),
    ("Jessica", "Jess"),
    ("Nicholas", "Nick"),
    ("Patricia", "Patty"),
    ("Benjamin", "Ben"),
]
FAMILY = [
    "Okonkwo",
    "Fairbanks",
    "Whitlock",
    "Pemberton",
    "Hargreaves",
    "Castellano",
    "Delacroix",
    "Abernathy",
    "Kowalczyk",
    "Ramanathan",
    "Oyelaran",
    "Blackwood",
    "Threlfall",
    "Mbeki",
    "Sutcliffe",
    "Nakamura",
    "Fitzgerald",
    "Lindqvist",
    "Achterberg",
    "Quartermaine",
]


@dataclass(frozen=True)
class Truth:
    given: str
    nickname: str
    family: str
    born: datetime.date
    pnc: str


def people() -> list[Truth]:
    found = []
    for index, ((given, nick), family) in enumerate(
        itertools.islice(
            ((g, f) for f in FAMILY for g in GIVEN if (FAMILY.index(f) + GIVEN.index(g)) % 7 == 0),
            40,
        )
    ):
        born = datetime.date(2004 + index % 6, 1 + index % 12, 3 + (index * 5) % 9)
        found.append(Truth(given, nick, family, born, f"{20 + index:02d}/{100000 + index * 37}X"))
    return found


def swapped(day: datetime.date) -> datetime.date:
    return day.replace(month=day.day, day=day.month) if day.day <= 12 else day


def typo(name: str) -> str:
    return name[:3] + name[4] + name[3] + name[5:]


@dataclass
class Extracts:
    police: Agency
    yos: Agency
    truth: dict[int, int]  # source record pk -> index into people()
    people: list[Truth]


def make_batch(agency: Agency, user: User, kind: str) -> ImportBatch:
    return ImportBatch.objects.create(
        kind=kind,
        agency=agency,
        file_name=f"{agency.slug}.csv",
        file_sha256=agency.slug * 2,
        extracted_on=datetime.date(2026, 10, 1),
        status="completed",
        uploaded_by=user,
    )


@pytest.fixture
def referred_twice(dsl_referral: Referral, other_referral: Referral) -> tuple[Person, Person]:
    """The people behind two schools' referrals, given one date of birth so that they may be
    one person (merges refuse dates of birth that cannot be)."""
    first, second = dsl_referral.person, other_referral.person
    second.date_of_birth = first.date_of_birth
    second.save(update_fields=["date_of_birth"])
    return first, second


@pytest.fixture
def extracts(agencies: dict[str, Agency], coordinator: User) -> Extracts:
    police, yos = agencies["police"], agencies["yos"]
    police_batch = make_batch(police, coordinator, ExtractKind.POLICE_NOMINALS)
    yos_batch = make_batch(yos, coordinator, ExtractKind.YOUTH_OFFENDING)
    truth: dict[int, int] = {}
    everyone = people()
    for index, person in enumerate(everyone[:30]):
        record = SourceRecord.objects.create(
            agency=police,
            batch=police_batch,
            record_key=f"police-{index}",
            identifier_type="pnc",
            identifier=person.pnc,
            given_name=person.given,
            family_name=person.family,
            date_of_birth=person.born,
            sex="M" if index % 2 else "F",
            postcode=f"HM{1 + index % 4} {index % 9}AB",
        )
        truth[record.pk] = index
    for index, person in enumerate(everyone[15:35], start=15):
        variant = index % 3
        record = SourceRecord.objects.create(
            agency=yos,
            batch=yos_batch,
            record_key=f"yos-{index}",
            identifier_type="yos_id",
            identifier=f"YOS{5000 + index}",
            given_name=person.nickname if variant == 0 else person.given,
            family_name=typo(person.family) if variant == 1 else person.family,
            date_of_birth=swapped(person.born) if variant == 2 else person.born,
            postcode=f"HM{1 + index % 4} {index % 9}AB",
            other_identifiers={"pnc": person.pnc} if index < 30 and variant == 1 else {},
        )
        truth[record.pk] = index
    return Extracts(police=police, yos=yos, truth=truth, people=everyone)


_models: dict[tuple[str, str], object] = {}


@pytest.fixture(autouse=True)
def train_once_per_frame(monkeypatch: pytest.MonkeyPatch) -> None:
    """Training is deterministic for a frame and seed and takes seconds: tests that link the
    same records (whatever their database ids) share one trained model."""
    from offramp.index.services import linking

    train = linking.train_model

    def cached(records, labels=None, *, seed=1):  # type: ignore[no-untyped-def]
        content = records.drop(columns=["unique_id", "source"]).astype(str)
        key = (
            content.sort_values(list(content.columns)).to_csv(index=False),
            "" if labels is None else str(len(labels)),
        )
        if key not in _models:
            _models[key] = train(records, labels, seed=seed)
        return _models[key]

    monkeypatch.setattr(linking, "train_model", cached)
