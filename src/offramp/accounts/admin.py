from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from offramp.access.permissions import is_administrator, may_reset_credentials
from offramp.audit.admin import AuditedModelAdmin, admin_actor
from offramp.audit.models import AuditAction
from offramp.audit.services import AuditObject, audit_record

from .models import AccessChange, ApiToken, SignInThrottle, TotpDevice, User
from .services import (
    access_change_approve,
    access_change_reject,
    access_change_request,
    sign_in_lockouts_lift,
    sign_in_username_digest,
    user_add_pending,
)

_admin_login = admin.site.login


def _admin_login_through_the_service(
    request: HttpRequest, extra_context: dict[str, object] | None = None
) -> HttpResponse:
    """Administrators sign in through the service's own page, with its lockout and two-factor.

    Django's admin login form would authenticate around both, so it only ever shows its "not
    authorised" notice to someone already signed in; credentials always go to the sign-in page.
    """
    if request.method == "POST" or not request.user.is_authenticated:
        return redirect_to_login(request.GET.get("next") or reverse("admin:index"))
    return _admin_login(request, extra_context)


admin.site.login = _admin_login_through_the_service  # type: ignore[method-assign]


def _administrators_only(request: HttpRequest) -> bool:
    """Administration is for the administrator role, not any account with the staff flag."""
    return is_administrator(request.user)  # type: ignore[arg-type]


admin.site.has_permission = _administrators_only  # type: ignore[method-assign]
# The role decides what a user may do; group permissions would be a second way round it.
admin.site.unregister(Group)


@admin.register(User)
class UserAdmin(AuditedModelAdmin, DjangoUserAdmin):
    """Role and agency are asked for here and applied once a second administrator approves
    (under *Role or agency changes*). Administration access follows the administrator role, so
    the staff and superuser flags, groups and permissions are not edited here."""

    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    readonly_fields = ["is_staff", "is_superuser", "last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name", "email")}),
        ("Status", {"fields": ("is_active", "is_staff", "is_superuser")}),
        (
            "Offramp",
            {
                "fields": ("agency", "role", "job_title"),
                "description": "A new role or agency takes effect when a second administrator "
                "approves it under Role or agency changes.",
            },
        ),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        (
            "Offramp",
            {
                "fields": ("first_name", "last_name", "agency", "role", "job_title"),
                "description": "The account stays inactive until a second administrator "
                "approves its role and agency.",
            },
        ),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        actor = admin_actor(request)
        if not change:
            user_add_pending(requested_by=actor, user=obj, role=obj.role, agency=obj.agency)
            self.message_user(request, PENDING_NOTICE.format(user=obj.username))
            return
        role, agency = obj.role, obj.agency
        stored = User.objects.select_related("agency").get(pk=obj.pk)
        obj.role, obj.agency = stored.role, stored.agency
        super().save_model(request, obj, form, change)
        if (role, agency) != (obj.role, obj.agency):
            try:
                access_change_request(requested_by=actor, user=obj, role=role, agency=agency)
            except ValidationError as error:
                self.message_user(request, " ".join(error.messages), messages.ERROR)
            else:
                self.message_user(request, PENDING_NOTICE.format(user=obj.username))

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        target = self.get_object(request, unquote(id))
        if target is not None and not may_reset_credentials(admin_actor(request), target):
            raise PermissionDenied(
                "Another person's password is set on the server (offramp changepassword), "
                "never in administration."
            )
        # Django's password page saves outside save_model and outside a transaction.
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                audit_record(
                    action=AuditAction.ALTERATION,
                    actor=admin_actor(request),
                    subject=AuditObject("user", unquote(id)),
                    purpose="password set in administration",
                )
        return response


PENDING_NOTICE = (
    "The role and agency asked for {user} take effect when a second administrator approves "
    "them under Role or agency changes."
)


@admin.register(AccessChange)
class AccessChangeAdmin(AuditedModelAdmin):
    """Pending role and agency changes, approved or rejected by a second administrator."""

    list_display = [
        "user",
        "previous_role",
        "role",
        "previous_agency",
        "agency",
        "activates",
        "requested_by",
        "requested_at",
        "status",
        "decided_by",
    ]
    list_filter = ["status"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def _decide(
        self,
        request: HttpRequest,
        queryset: QuerySet[AccessChange],
        decide: Callable[[AccessChange, User], AccessChange],
        done: str,
    ) -> None:
        actor = admin_actor(request)
        for change in queryset:
            try:
                decide(change, actor)
            except (PermissionDenied, ValidationError) as error:
                reason = " ".join(error.messages) if isinstance(error, ValidationError) else error
                self.message_user(request, f"{change}: {reason}", messages.ERROR)
            else:
                self.message_user(request, f"{change}: {done}")

    @admin.action(description="Approve the selected changes")
    def approve(self, request: HttpRequest, queryset: QuerySet[AccessChange]) -> None:
        self._decide(
            request,
            queryset,
            lambda change, actor: access_change_approve(change=change, approver=actor),
            "approved",
        )

    @admin.action(description="Reject the selected changes")
    def reject(self, request: HttpRequest, queryset: QuerySet[AccessChange]) -> None:
        self._decide(
            request,
            queryset,
            lambda change, actor: access_change_reject(change=change, decider=actor),
            "rejected",
        )


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    list_display = ["name", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["digest", "created_at", "last_used_at"]
    fields = ["user", "name", "expires_at", "revoked_at", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        # Tokens are issued with `offramp token create`, which shows the secret once.
        return False


@admin.register(SignInThrottle)
class SignInThrottleAdmin(AuditedModelAdmin):
    """Failed sign-ins by a keyed hash of the username typed, never the username itself: search
    for a username to find its row. Deleting an entry (or the action) lifts the lockout;
    `offramp unlock` does the same."""

    list_display = ["short_digest", "failures", "last_failure_at", "locked_until"]
    search_fields = ["username_digest"]
    search_help_text = "Type a username exactly (case does not matter) to find its lockout."
    readonly_fields = ("username_digest", "failures", "window_started_at", "last_failure_at")
    fields = (*readonly_fields, "locked_until")
    actions = ["lift_lockout"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="Username (keyed hash)")
    def short_digest(self, throttle: SignInThrottle) -> str:
        return throttle.username_digest[:12]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[SignInThrottle], search_term: str
    ) -> tuple[QuerySet[SignInThrottle], bool]:
        if not search_term.strip():
            return queryset, False
        return queryset.filter(username_digest=sign_in_username_digest(search_term)), False

    @admin.action(description="Lift the lockout on the selected usernames")
    def lift_lockout(self, request: HttpRequest, queryset: QuerySet[SignInThrottle]) -> None:
        count = sign_in_lockouts_lift(throttles=queryset, actor=admin_actor(request))
        self.message_user(request, f"Lifted {count} lockout(s)")


@admin.register(TotpDevice)
class TotpDeviceAdmin(AuditedModelAdmin):
    """Shows who has set up two-factor; never the secret. Delete a device to reset it."""

    # One device at a time, through its delete page, which checks whose it is.
    actions = None
    list_display = ["user", "created_at", "confirmed_at"]
    search_fields = ["user__username"]
    fields = ("user", "created_at", "confirmed_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: TotpDevice | None = None) -> bool:
        if obj is None:
            return super().has_delete_permission(request)
        return may_reset_credentials(admin_actor(request), obj.user)
