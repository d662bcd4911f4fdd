"""Admin for cases: the catalogue and the working-day calendar are edited here; cases are only read.

Every change to a case goes through a workflow service (checked, timed, audited, counted), so the
admin shows cases, their timelines, deadlines and roll-ups read-only. The calendar is a core model,
but its admin lives here because core sits below the audit layer whose `AuditedModelAdmin` records
every edit, and the case deadlines are what count on it.
"""

from django.contrib import admin

from civicgrid.audit.admin import AuditedModelAdmin, ReadOnly
from civicgrid.cases.models import (
    Attachment,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseStat,
    CaseStatArea,
    CaseTally,
    Category,
    Deadline,
    Extension,
    Follower,
)
from civicgrid.core.models import CalendarDay


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedModelAdmin):
    list_display = ("date", "kind", "name")
    list_filter = ("kind",)
    date_hierarchy = "date"
    search_fields = ("name",)


@admin.register(Category)
class CategoryAdmin(AuditedModelAdmin):
    list_display = (
        "code",
        "name_zh",
        "name_en",
        "parent",
        "start_tier",
        "default_urgency",
        "public",
        "active",
    )
    list_filter = ("start_tier", "default_urgency", "public", "active")
    list_select_related = ("parent",)
    search_fields = ("code", "name_zh", "name_en")


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = ("code", "title", "state", "tier", "channel", "created_at")
    list_filter = ("state", "tier", "channel")
    search_fields = ("code",)
    show_full_result_count = False  # no COUNT over millions of rows per page


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnly):
    list_display = ("case_id", "at", "action", "from_state", "to_state", "tier", "public")
    list_filter = ("action",)
    show_full_result_count = False


@admin.register(Deadline)
class DeadlineAdmin(ReadOnly):
    list_display = ("case_id", "kind", "round", "tier", "due_at", "met_at", "breached_at", "cancelled_at")
    list_filter = ("kind",)
    show_full_result_count = False


@admin.register(CaseAssignment)
class CaseAssignmentAdmin(ReadOnly):
    list_display = ("case_id", "department", "lead", "active", "assigned_at", "finished_at")
    list_select_related = ("department",)


@admin.register(Extension)
class ExtensionAdmin(ReadOnly):
    list_display = ("deadline", "days", "status", "requested_at", "decided_at")
    list_select_related = ("deadline",)


@admin.register(Attachment)
class AttachmentAdmin(ReadOnly):
    list_display = ("case_id", "content_type", "size", "public", "uploaded_at")


@admin.register(Follower)
class FollowerAdmin(ReadOnly):
    list_display = ("case_id", "user_id", "resident_id", "source_case_id")


@admin.register(CaseStat)
class CaseStatAdmin(ReadOnly):
    list_display = ("territory_path", "grain", "period", "category_id", "department", "handler", "received")
    show_full_result_count = False


@admin.register(CaseStatArea)
class CaseStatAreaAdmin(ReadOnly):
    list_display = ("territory_path", "grain", "period", "dim", "value", "received")
    show_full_result_count = False


@admin.register(CaseTally)
class CaseTallyAdmin(ReadOnly):
    list_display = ("case_id", "territory_path", "day", "received", "resolved")
    show_full_result_count = False
