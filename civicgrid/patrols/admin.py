"""Admin: patrols are read here; teams, shifts, check-ins and findings change through the services,
which check who may act and keep the hours arithmetic and the cases raised consistent."""

from django.contrib import admin

from civicgrid.audit.admin import ReadOnly
from civicgrid.patrols.models import (
    Attendance,
    PatrolArea,
    PatrolFinding,
    PatrolMember,
    PatrolShift,
    PatrolTeam,
)


@admin.register(PatrolTeam)
class PatrolTeamAdmin(ReadOnly):
    list_display = ("name", "territory", "leader", "retired_at")
    list_select_related = ("territory", "leader")


@admin.register(PatrolMember)
class PatrolMemberAdmin(ReadOnly):
    list_display = ("team", "user", "name", "joined_at", "left_at")
    list_select_related = ("team", "user")


@admin.register(PatrolArea)
class PatrolAreaAdmin(ReadOnly):
    list_display = ("team", "name", "territory", "retired_at")
    list_select_related = ("team", "territory")


@admin.register(PatrolShift)
class PatrolShiftAdmin(ReadOnly):
    list_display = ("team", "starts_at", "ends_at", "closed_at")
    list_select_related = ("team",)
    date_hierarchy = "starts_at"


@admin.register(Attendance)
class AttendanceAdmin(ReadOnly):
    list_display = ("shift", "member", "checked_in_at", "checked_out_at", "closed_by_sweep")
    list_select_related = ("shift__team", "member")


@admin.register(PatrolFinding)
class PatrolFindingAdmin(ReadOnly):
    list_display = ("created_at", "shift", "member", "place")
    list_select_related = ("shift__team", "member")
