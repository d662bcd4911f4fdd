"""Shifts: planning, each member's check-in and check-out, and the sweep that closes what was left open.

A member checks in once and out once per shift. Check-in opens a little before the planned start;
check-out (and a late check-in) stays possible until the planned end plus the grace period, stored on
the shift as `closes_at`. The sweep then closes the shift and checks out, at the planned end, every
member still checked in, marking those rows as closed by the system: it claims the shift with a
conditional UPDATE inside its transaction, so two sweeps racing close each shift once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.audit.services import audit_record
from civicgrid.core import clock, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.notify.services import notify_users
from civicgrid.patrols import rules
from civicgrid.patrols.models import Attendance, PatrolArea, PatrolMember, PatrolShift, PatrolTeam
from civicgrid.territory.models import Level
from civicgrid.territory.services import territory_locate

log = logging.getLogger(__name__)

# How long after the planned end a member may still check out before the sweep does it for them.
GRACE = dt.timedelta(minutes=settings.CIVICGRID_PATROL_GRACE_MINUTES)
# How early before the planned start a member may check in.
EARLY = dt.timedelta(minutes=30)
LONGEST = dt.timedelta(hours=24)
BATCH = 200


def _local(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


@transaction.atomic
def shift_plan(
    *,
    actor,
    team: PatrolTeam,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    area: PatrolArea | None = None,
    members: list[PatrolMember] | None = None,
    note: str = "",
    notify: bool = True,
) -> PatrolShift:
    """Plan a shift; `members` are expected on it (others of the team may still check in).

    With `notify` the expected members with an account are told; a record of past shifts (the demo,
    an import) goes without.
    """
    team = PatrolTeam.objects.select_for_update().get(pk=team.pk)
    rules.check_manage(actor, team)
    if team.retired_at is not None:
        raise ApplicationError(_("This team is retired."), code="retired")
    if starts_at is None:
        raise ApplicationError(_("Say when the shift starts."), field="starts_at")
    if ends_at is None or ends_at <= starts_at:
        raise ApplicationError(_("The shift must end after it starts."), field="ends_at")
    if ends_at - starts_at > LONGEST:
        raise ApplicationError(_("A shift lasts at most 24 hours."), field="ends_at")
    if ends_at <= clock.now():
        raise ApplicationError(_("This time has already passed: plan a shift ahead."), field="ends_at")
    if area is not None and (area.team_id != team.pk or area.retired_at is not None):
        raise ApplicationError(_("Choose one of the team's areas."), field="area")
    members = list(members or [])
    if any(m.team_id != team.pk or m.left_at is not None for m in members):
        raise ApplicationError(_("Choose members of this team."), field="members")
    shift = PatrolShift.objects.create(
        team=team,
        territory_path=team.territory_path,
        area=area,
        starts_at=starts_at,
        ends_at=ends_at,
        closes_at=ends_at + GRACE,
        note=(note or "").strip()[:200],
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    Attendance.objects.bulk_create(
        [Attendance(shift=shift, member=m, territory_path=team.territory_path) for m in members]
    )
    audit_record(
        actor=actor,
        action="patrol_shift.plan",
        obj=shift,
        summary={"team": team.pk, "starts_at": starts_at, "ends_at": ends_at, "members": len(members)},
    )
    if notify:
        _notify_expected(shift, [m.user_id for m in members if m.user_id and m.user_id != actor.pk])
    return shift


def _notify_expected(shift: PatrolShift, user_ids: list[int]) -> None:
    if not user_ids:
        return
    notify_users(
        user_ids=set(user_ids),
        text_code="patrols.shift_planned",
        params={"team": shift.team.name, "when": _local(shift.starts_at)},
        link=reverse("patrols:shift_detail", args=[shift.pk]),
    )


def _attendance(shift: PatrolShift, member: PatrolMember) -> Attendance:
    """The member's row on the shift, locked; made for a member of the team who was not expected."""
    if member.team_id != shift.team_id or member.left_at is not None:
        raise ApplicationError(_("This person is not on the team."), field="member")
    row, _made = Attendance.objects.select_for_update().get_or_create(
        shift=shift,
        member=member,
        defaults={"expected": False, "territory_path": shift.territory_path},
    )
    return row


def _open_shift(shift: PatrolShift) -> PatrolShift:
    shift = PatrolShift.objects.select_for_update(of=("self",)).select_related("team").get(pk=shift.pk)
    if shift.closed_at is not None or clock.now() >= shift.closes_at:
        raise ApplicationError(_("This shift is closed."), code="closed")
    return shift


@transaction.atomic
def attendance_check_in(
    *, actor, shift: PatrolShift, member: PatrolMember, lon: float | None = None, lat: float | None = None
) -> Attendance:
    """Check a member in: themselves, or (for the leader and staff) any member of the team."""
    shift = _open_shift(shift)
    rules.check_member_action(actor, shift.team, member)
    now = clock.now()
    if now < shift.starts_at - EARLY:
        raise ApplicationError(
            _("This shift starts at %(start)s; check in from %(open)s.")
            % {"start": _local(shift.starts_at), "open": _local(shift.starts_at - EARLY)},
            code="too_early",
        )
    if now >= shift.ends_at:
        raise ApplicationError(
            _("This shift ended at %(end)s.") % {"end": _local(shift.ends_at)}, code="ended"
        )
    if (lon is None) != (lat is None):
        raise ApplicationError(_("Give both longitude and latitude, or neither."), field="lon")
    row = _attendance(shift, member)
    if row.checked_out_at is not None:
        raise ApplicationError(
            _("%(member)s already checked out of this shift at %(time)s.")
            % {"member": member.display_name, "time": _local(row.checked_out_at)},
            code="already_checked_out",
        )
    if row.checked_in_at is not None:
        raise ApplicationError(
            _("%(member)s is already checked in (since %(time)s).")
            % {"member": member.display_name, "time": _local(row.checked_in_at)},
            code="already_checked_in",
        )
    row.checked_in_at = now
    row.lon, row.lat = lon, lat
    row.located = territory_locate(lon=lon, lat=lat, level=Level.GRID) if lon is not None else None
    row.recorded_by = actor
    row.save()
    audit_record(
        actor=actor,
        action="patrol.check_in",
        obj=row,
        summary={"shift": shift.pk, "member": member.pk, "located": row.located_id},
    )
    return row


@transaction.atomic
def attendance_check_out(*, actor, shift: PatrolShift, member: PatrolMember) -> Attendance:
    shift = _open_shift(shift)
    rules.check_member_action(actor, shift.team, member)
    row = Attendance.objects.select_for_update().filter(shift=shift, member=member).first()
    if row is None or row.checked_in_at is None:
        raise ApplicationError(
            _("%(member)s has not checked in to this shift.") % {"member": member.display_name},
            code="not_checked_in",
        )
    if row.checked_out_at is not None:
        raise ApplicationError(
            _("%(member)s already checked out at %(time)s.")
            % {"member": member.display_name, "time": _local(row.checked_out_at)},
            code="already_checked_out",
        )
    row.checked_out_at = clock.now()
    row.recorded_by = actor
    row.save()
    audit_record(
        actor=actor,
        action="patrol.check_out",
        obj=row,
        summary={"shift": shift.pk, "member": member.pk, "seconds": _seconds(row)},
    )
    _published(row, automatic=False)
    return row


def _seconds(row: Attendance) -> int:
    return int((row.checked_out_at - row.checked_in_at).total_seconds())


def _published(row: Attendance, *, automatic: bool) -> None:
    payload = {
        "attendance_id": row.pk,
        "team_id": row.shift.team_id,
        "user_id": row.member.user_id,
        "seconds": _seconds(row),
        "automatic": automatic,
    }
    transaction.on_commit(lambda: registry.publish("patrol.checked_out", **payload))


def _close(shift_id: int, now: dt.datetime) -> int | None:
    """Close one shift that is due, once: the claim is a conditional UPDATE. None when another won."""
    claimed = PatrolShift.objects.filter(pk=shift_id, closed_at__isnull=True, closes_at__lte=now).update(
        closed_at=now, updated_at=now
    )
    if claimed != 1:
        return None
    shift = PatrolShift.objects.select_related("team").get(pk=shift_id)
    still_in = (
        Attendance.objects.select_for_update()
        .select_related("member", "shift")
        .filter(shift_id=shift_id, checked_in_at__isnull=False, checked_out_at__isnull=True)
    )
    rows = list(still_in)
    # Hours count up to the planned end; someone who checked in after it gets none.
    Attendance.objects.filter(pk__in=[r.pk for r in rows], checked_in_at__lte=shift.ends_at).update(
        checked_out_at=shift.ends_at, closed_by_sweep=True
    )
    Attendance.objects.filter(pk__in=[r.pk for r in rows], checked_in_at__gt=shift.ends_at).update(
        checked_out_at=F("checked_in_at"), closed_by_sweep=True
    )
    for row in rows:
        row.refresh_from_db(fields=["checked_out_at", "closed_by_sweep"])
        _published(row, automatic=True)
    audit_record(actor=None, action="patrol_shift.close", obj=shift, summary={"checked_out": len(rows)})
    if rows and shift.team.leader_id:
        _notify_leader(shift, len(rows))
    return len(rows)


def _notify_leader(shift: PatrolShift, n: int) -> None:
    notify_users(
        user_ids={shift.team.leader_id},
        text_code="patrols.shift_closed",
        params={"team": shift.team.name, "when": _local(shift.starts_at), "n": n},
        link=reverse("patrols:shift_detail", args=[shift.pk]),
    )


def sweep(*, now: dt.datetime | None = None, batch: int = BATCH) -> dict:
    """Close every shift past its planned end plus the grace period. Idempotent; safe to race."""
    now = now or clock.now()
    counts = {"shifts closed": 0, "members checked out": 0}
    due = PatrolShift.objects.filter(closed_at__isnull=True, closes_at__lte=now).order_by("closes_at")
    for shift_id in list(due.values_list("pk", flat=True)[:batch]):
        try:
            with transaction.atomic():
                closed = _close(shift_id, now)
        except Exception:  # one bad shift must not stop the sweep; the next pass retries it
            log.exception("patrols sweep: shift %s could not be closed", shift_id)
            continue
        if closed is not None:
            counts["shifts closed"] += 1
            counts["members checked out"] += closed
    return counts
