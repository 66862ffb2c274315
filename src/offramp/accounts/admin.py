from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.views import redirect_to_login
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from .models import ApiToken, SignInThrottle, TotpDevice, User

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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "role", "is_active"]
    list_filter = ["role", "agency", "is_active"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Offramp", {"fields": ("agency", "role", "job_title")}),
    )
    add_fieldsets = (
        *(DjangoUserAdmin.add_fieldsets or ()),
        ("Offramp", {"fields": ("first_name", "last_name", "agency", "role", "job_title")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "created_at", "expires_at", "revoked_at", "last_used_at"]
    readonly_fields = ["digest", "created_at", "last_used_at"]
    fields = ["user", "name", "expires_at", "revoked_at", "digest", "created_at", "last_used_at"]

    def has_add_permission(self, request: object) -> bool:
        # Tokens are issued with `offramp token create`, which shows the secret once.
        return False


@admin.register(SignInThrottle)
class SignInThrottleAdmin(admin.ModelAdmin):
    """Deleting an entry (or the action) lifts the lockout; `offramp unlock` does the same."""

    list_display = ["username", "failures", "last_failure_at", "locked_until"]
    search_fields = ["username"]
    readonly_fields = ("username", "failures", "window_started_at", "last_failure_at")
    fields = (*readonly_fields, "locked_until")
    actions = ["lift_lockout"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Lift the lockout on the selected usernames")
    def lift_lockout(self, request: HttpRequest, queryset: QuerySet[SignInThrottle]) -> None:
        count, _ = queryset.delete()
        self.message_user(request, f"Lifted {count} lockout(s)")


@admin.register(TotpDevice)
class TotpDeviceAdmin(admin.ModelAdmin):
    """Shows who has set up two-factor; never the secret. Delete a device to reset it."""

    list_display = ["user", "created_at", "confirmed_at"]
    search_fields = ["user__username"]
    fields = ("user", "created_at", "confirmed_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
