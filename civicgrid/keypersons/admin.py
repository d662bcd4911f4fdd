"""Admin: counties' categories are edited here (audited); key persons only through the services.

A key person changed by hand would skip the review history and the next-visit date, so the admin
shows them read-only, as it shows the cadences (whose change must move every next visit below).
"""

from django.contrib import admin

from civicgrid.audit.admin import AuditedModelAdmin, ReadOnly
from civicgrid.keypersons.models import KeyPerson, KeyPersonCategory, KeyPersonReview, VisitCadence


@admin.register(KeyPersonCategory)
class KeyPersonCategoryAdmin(AuditedModelAdmin):
    list_display = ("code", "name_zh", "name_en", "end_rule", "lapse_years", "territory", "active")
    list_filter = ("end_rule", "active")
    list_select_related = ("territory",)
    search_fields = ("code", "name_zh", "name_en")
    raw_id_fields = ("territory",)


@admin.register(KeyPerson)
class KeyPersonAdmin(ReadOnly):
    list_display = ("__str__", "category", "risk_colour", "status", "since", "until", "next_visit_due")
    list_filter = ("status", "risk_colour", "category")
    show_full_result_count = False


@admin.register(KeyPersonReview)
class KeyPersonReviewAdmin(ReadOnly):
    list_display = ("key_person", "action", "colour_from", "colour_to", "reviewer", "at")


@admin.register(VisitCadence)
class VisitCadenceAdmin(ReadOnly):
    list_display = ("territory", "risk_colour", "every_days", "set_by", "set_at")
