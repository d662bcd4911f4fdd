from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from civicgrid.accounts.models import ApiToken, RoleAssignment, User
from civicgrid.audit.admin import AuditedModelAdmin


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 0
    raw_id_fields = ("territory", "organisation")
    fk_name = "user"


@admin.register(User)
class CivicgridUserAdmin(AuditedModelAdmin, UserAdmin):
    fieldsets = UserAdmin.fieldsets + (("civicgrid", {"fields": ("display_name", "language")}),)
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedModelAdmin):
    list_display = ("user", "role", "territory", "valid_from", "valid_to")
    list_filter = ("role",)
    raw_id_fields = ("user", "territory", "organisation")


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Tokens are made by `civicgrid token_create` (the raw value is shown once); here they are revoked."""

    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("user", "name", "prefix", "created_at")
    fields = ("user", "name", "prefix", "created_at", "expires_at", "revoked_at")

    def has_add_permission(self, request):
        return False
