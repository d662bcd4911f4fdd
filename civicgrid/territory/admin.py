from django.contrib import admin

from civicgrid.audit.admin import AuditedModelAdmin
from civicgrid.territory.models import Territory


@admin.register(Territory)
class TerritoryAdmin(AuditedModelAdmin):
    list_display = ("name", "level", "kind", "code", "path", "retired_at")
    list_filter = ("level",)
    search_fields = ("name", "code")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "parent", "level", "code")

    def has_add_permission(self, request):
        # Nodes are created on the territory pages, which allocate the path and check the code.
        return False
