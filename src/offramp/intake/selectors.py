"""Reading import batches. They hold no one's details but their row errors may quote a file's
values, so only those who may import partner data see them."""

from django.db.models import QuerySet

from offramp.access.permissions import Capability, require_capability
from offramp.accounts.models import User

from .models import ImportBatch


def batches_visible_to(user: User) -> QuerySet[ImportBatch]:
    require_capability(user, Capability.IMPORT_PARTNER_DATA)
    return ImportBatch.objects.select_related("agency", "uploaded_by")
