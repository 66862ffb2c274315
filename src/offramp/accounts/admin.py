from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from .models import ApiToken, User


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
