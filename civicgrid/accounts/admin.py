from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from civicgrid.accounts.models import RoleAssignment, User
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
