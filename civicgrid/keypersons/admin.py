"""Admin: counties' categories are edited here (audited). Key persons are not in the admin at all.

Every read of a key person is recorded by the module's selectors, and every change goes through a
service that keeps the history and the next-visit date; an admin list would do neither. Cadences
are shown read-only: changing one must move every next visit below it, which only the service does.
"""

from django.contrib import admin

from civicgrid.audit.admin import AuditedModelAdmin, ReadOnly
from civicgrid.keypersons.models import KeyPersonCategory, VisitCadence


@admin.register(KeyPersonCategory)
class KeyPersonCategoryAdmin(AuditedModelAdmin):
    list_display = ("code", "name_zh", "name_en", "end_rule", "lapse_years", "territory", "active")
    list_filter = ("end_rule", "active")
    list_select_related = ("territory",)
    search_fields = ("code", "name_zh", "name_en")
    raw_id_fields = ("territory",)


@admin.register(VisitCadence)
class VisitCadenceAdmin(ReadOnly):
    list_display = ("territory", "risk_colour", "every_days", "set_by", "set_at")
