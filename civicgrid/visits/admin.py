"""Admin for visits: rules are edited here as on the rules page; visits, due rows and needs are read.

A rule edited here is audited like any admin edit and takes its path from its place; its kind follows
from its target, as the service sets it. Visits and due rows change only through the services (which
meet and open due rows together), so they are read-only here.
"""

from django.contrib import admin

from civicgrid.audit.admin import AuditedModelAdmin, ReadOnly
from civicgrid.visits.models import TARGET_KIND, Need, Visit, VisitDue, VisitPhoto, VisitRule


@admin.register(VisitRule)
class VisitRuleAdmin(AuditedModelAdmin):
    list_display = ("territory", "target", "tag", "kind", "interval_days", "starts_on", "active")
    list_filter = ("target", "kind", "active")
    list_select_related = ("territory", "tag")
    autocomplete_fields = ("territory",)
    exclude = ("created_by",)

    def save_model(self, request, obj, form, change):
        obj.kind = TARGET_KIND[obj.target]
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Visit)
class VisitAdmin(ReadOnly):
    list_display = ("visited_on", "kind", "household", "visitor", "case")
    list_filter = ("kind",)
    list_select_related = ("household", "visitor", "case")
    show_full_result_count = False

    def get_queryset(self, request):
        # Key-person visits stay with the key persons' pages, even for administrators.
        return super().get_queryset(request).exclude(kind="key_person")


@admin.register(VisitDue)
class VisitDueAdmin(ReadOnly):
    list_display = ("household", "kind", "rule", "due_on", "met_at", "cancelled_at")
    list_filter = ("kind",)
    list_select_related = ("household", "rule")
    show_full_result_count = False


@admin.register(Need)
class NeedAdmin(ReadOnly):
    list_display = ("description", "household", "status", "created_at")
    list_filter = ("status",)
    list_select_related = ("household",)


@admin.register(VisitPhoto)
class VisitPhotoAdmin(ReadOnly):
    list_display = ("visit", "content_type", "size", "uploaded_at")
    list_select_related = ("visit",)
