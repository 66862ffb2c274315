"""The naming rule of the network pages: who reads a person's name and who a pseudonym.

Every network page, API answer, pathway map, periphery list, exposure page and Gephi/i2 export
labels people through `network_labels_for` (or `network_label_for`), never `Person.full_name`.
- A user who may see people's records (a coordinator) reads the names of the people in
  `people_visible_to` them, and a pseudonym for everyone else in the network.
- Anyone else who maps networks (an analyst) reads pseudonyms, unless a purpose they stated is
  in force: then the names of adults, and of children only if that purpose covers children.
A pseudonym is stable per person and cannot be worked out from the record number without the
secret key (an HMAC of the id), so the same person carries the same one on every page and in
every file, and rotating SECRET_KEY gives everyone a new one.
"""

import base64
import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.crypto import salted_hmac

from offramp.accounts.models import User
from offramp.dates import add_years
from offramp.networks.models import NamingPurpose
from offramp.people.models import Person

from .permissions import Capability, has_capability
from .scoping import network_people_visible_to, people_visible_to

ADULT_AGE = 18
PSEUDONYM_SALT = "offramp.access.naming.pseudonym"
PSEUDONYM_LENGTH = 8  # base32 characters: 40 bits, so 100,000 people almost never collide


def pseudonym(person_id: int) -> str:
    digest = salted_hmac(PSEUDONYM_SALT, str(person_id), algorithm="sha256").digest()
    return f"Person {base64.b32encode(digest).decode()[:PSEUDONYM_LENGTH]}"


def may_state_naming_purpose(user: User) -> bool:
    """Analysts do; a coordinator reads the names of the people they may see, and a stated
    purpose never widens that."""
    return has_capability(user, Capability.MANAGE_NETWORKS) and not has_capability(
        user, Capability.VIEW_PEOPLE
    )


def require_naming_purpose_right(user: User) -> None:
    if not may_state_naming_purpose(user):
        raise PermissionDenied(
            "Only an analyst states a purpose to see names: whoever may see people's records "
            "reads the names of those people, and no purpose widens that"
        )


def naming_purposes_in_force(user: User) -> QuerySet[NamingPurpose]:
    return NamingPurpose.objects.filter(user_id=user.pk, expires_at__gt=timezone.now())


def _youngest_adult_born(today: datetime.date) -> datetime.date:
    return add_years(today, -ADULT_AGE)


def people_named_in_networks(user: User) -> QuerySet[Person]:
    """The people of the network whose names the user reads; everyone else is a pseudonym."""
    in_network = network_people_visible_to(user)
    if has_capability(user, Capability.VIEW_PEOPLE):
        return in_network.filter(pk__in=people_visible_to(user).values("pk"))
    if not may_state_naming_purpose(user):
        return Person.objects.none()
    purposes = naming_purposes_in_force(user)
    if purposes.filter(covers_children=True).exists():
        return in_network
    if purposes.exists():
        return in_network.filter(date_of_birth__lte=_youngest_adult_born(timezone.localdate()))
    return Person.objects.none()


def network_labels_for(user: User, person_ids: Iterable[int]) -> dict[int, str]:
    """How each person is labelled for the user in the network: a name or a pseudonym."""
    ids = set(person_ids)
    labels = {person_id: pseudonym(person_id) for person_id in ids}
    if not ids:
        return labels
    named = people_named_in_networks(user).filter(pk__in=ids)
    for pk, given, middle, family in named.values_list(
        "pk", "given_name", "middle_names", "family_name"
    ):
        labels[pk] = " ".join(part for part in (given, middle, family) if part)
    return labels


def network_label_for(user: User, person: Person | int) -> str:
    person_id = person if isinstance(person, int) else person.pk
    return network_labels_for(user, [person_id])[person_id]
