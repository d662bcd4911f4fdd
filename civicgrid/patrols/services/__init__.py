"""Every write of the patrols module. Keyword-only, actor first, atomic, audited."""

from civicgrid.patrols.services.findings import finding_raise, finding_record, finding_settle
from civicgrid.patrols.services.shifts import attendance_check_in, attendance_check_out, shift_plan, sweep
from civicgrid.patrols.services.teams import (
    area_add,
    area_retire,
    member_add,
    member_remove,
    team_create,
    team_retire,
    team_update,
)

__all__ = [
    "area_add",
    "area_retire",
    "attendance_check_in",
    "attendance_check_out",
    "finding_raise",
    "finding_record",
    "finding_settle",
    "member_add",
    "member_remove",
    "shift_plan",
    "sweep",
    "team_create",
    "team_retire",
    "team_update",
]
