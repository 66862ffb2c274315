"""Reading import batches, built on offramp.access.scoping's rule for them."""

from django.db.models import QuerySet

from offramp.access.scoping import import_batches_visible_to
from offramp.accounts.models import User

from .models import ImportBatch


def batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    return import_batches_visible_to(user).select_related("agency", "uploaded_by")
