"""The base of every page in administration: each read and write goes into the access log, and
a deletion's confirmation counts what it touches instead of naming it (issue 12).

Nothing is registered here: the access log itself is never reachable through administration.
"""

from collections import Counter
from collections.abc import Iterable
from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, unquote
from django.db import models, router, transaction
from django.http import HttpRequest, HttpResponse

from offramp.accounts.models import User

from .models import AuditAction
from .services import AuditObject, audit_append, audit_consultation, audit_line, audit_record

ADMINISTRATION = "administration"
# Longest object id the log keeps (AuditEntry.object_id).
_OBJECT_ID_LENGTH = 64


def admin_actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User), "administration is only reached signed in"
    return user


def counted(objects: Iterable[models.Model]) -> list[str]:
    """'3 users', '1 person': how many records of each kind, never which."""
    kinds = Counter(obj._meta for obj in objects)
    return [
        f"{count} {opts.verbose_name if count == 1 else opts.verbose_name_plural}"
        for opts, count in kinds.items()
    ]


class AuditedModelAdmin(admin.ModelAdmin):
    def _log_view(self, request: HttpRequest, object_id: str) -> None:
        audit_consultation(
            actor=admin_actor(request),
            subjects=[AuditObject(self.opts.model_name or "", object_id[:_OBJECT_ID_LENGTH])],
            purpose=ADMINISTRATION,
        )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            self._log_view(request, "list")
        return super().changelist_view(request, extra_context)

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "GET" and object_id is not None:
            self._log_view(request, unquote(object_id))
        return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        if request.method == "GET":
            self._log_view(request, unquote(object_id))
        return super().delete_view(request, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._log_view(request, unquote(object_id))
        return super().history_view(request, object_id, extra_context)

    # Writes: Django's admin runs these inside the transaction of the add, change or delete
    # view, so the entry and the write commit or roll back together.

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit_record(
            action=AuditAction.ALTERATION if change else AuditAction.COLLECTION,
            actor=admin_actor(request),
            subject=obj,
            purpose=ADMINISTRATION,
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            action=AuditAction.ERASURE,
            actor=admin_actor(request),
            subject=obj,
            purpose=ADMINISTRATION,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # The "delete selected" action runs outside any transaction of Django's.
        with transaction.atomic():
            lines = [
                audit_line(action=AuditAction.ERASURE, subject=obj, purpose=ADMINISTRATION)
                for obj in queryset
            ]
            audit_append(actor=admin_actor(request), lines=lines)
            super().delete_queryset(request, queryset)

    def get_deleted_objects(
        self, objs: Any, request: HttpRequest
    ) -> tuple[list[Any], dict[str, int], set[str], list[Any]]:
        """What a deletion would take, by kind and count only: Django's own page names every
        record it cascades to or is blocked by, which for an agency meant its people."""
        _, model_count, perms_needed, protected = super().get_deleted_objects(objs, request)
        if protected:
            protected = counted(self._protected_by(objs))
        return [], model_count, perms_needed, protected

    def _protected_by(self, objs: Any) -> set[models.Model]:
        collector = NestedObjects(using=router.db_for_write(self.model))
        collector.collect(objs)
        return collector.protected
