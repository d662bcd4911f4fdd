"""The sweep closes a shift left open at its planned end plus the grace: once, however often it runs."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.audit.models import AuditEvent
from civicgrid.core import registry
from civicgrid.notify.models import Notification
from civicgrid.patrols import services
from civicgrid.patrols.models import Attendance, PatrolShift
from civicgrid.patrols.services.shifts import GRACE

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _left_open(patrol):
    shift = patrol.plan(start_in=HOUR, length=2 * HOUR)
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
        services.attendance_check_in(actor=patrol.leader, shift=shift, member=patrol.leader_member)
    with patrol.later(2 * HOUR):
        services.attendance_check_out(actor=patrol.leader, shift=shift, member=patrol.leader_member)
    return shift


def test_the_sweep_leaves_a_shift_alone_within_the_grace_period(patrol):
    shift = _left_open(patrol)
    with patrol.later(3 * HOUR + GRACE - dt.timedelta(minutes=1)):
        assert services.sweep() == {"shifts closed": 0, "members checked out": 0}
        services.attendance_check_out(actor=patrol.volunteer, shift=shift, member=patrol.me)


def test_the_sweep_checks_out_at_the_planned_end_and_marks_the_row(patrol):
    shift = _left_open(patrol)
    with patrol.later(3 * HOUR + GRACE):
        assert services.sweep() == {"shifts closed": 1, "members checked out": 1}
    mine = Attendance.objects.get(shift=shift, member=patrol.me)
    assert mine.checked_out_at == shift.ends_at and mine.closed_by_sweep
    leader = Attendance.objects.get(shift=shift, member=patrol.leader_member)
    assert leader.checked_out_at == patrol.now + 2 * HOUR and not leader.closed_by_sweep
    assert PatrolShift.objects.get(pk=shift.pk).closed_at is not None


def test_running_the_sweep_again_changes_nothing(patrol):
    shift = _left_open(patrol)
    with patrol.later(3 * HOUR + GRACE):
        services.sweep()
    closed_at = PatrolShift.objects.get(pk=shift.pk).closed_at
    with patrol.later(5 * HOUR + GRACE):
        assert services.sweep() == {"shifts closed": 0, "members checked out": 0}
    assert PatrolShift.objects.get(pk=shift.pk).closed_at == closed_at
    assert AuditEvent.objects.filter(action="patrol_shift.close").count() == 1


def test_a_sweep_that_lost_the_claim_does_nothing(patrol):
    """Two sweeps racing: the second one's conditional UPDATE matches no row once the first closed it."""
    from civicgrid.patrols.services.shifts import _close

    shift = _left_open(patrol)
    now = patrol.now + 3 * HOUR + GRACE
    with patrol.later(3 * HOUR + GRACE):
        assert _close(shift.pk, now) == 1
        assert _close(shift.pk, now) is None
    assert Attendance.objects.filter(shift=shift, closed_by_sweep=True).count() == 1


def test_after_the_sweep_nobody_can_check_out(patrol):
    shift = _left_open(patrol)
    with patrol.later(3 * HOUR + GRACE):
        services.sweep()
        with pytest.raises(services.shifts.ApplicationError) as exc:
            services.attendance_check_out(actor=patrol.volunteer, shift=shift, member=patrol.me)
    assert exc.value.code == "closed"


def test_the_leader_is_told_who_was_checked_out_by_the_system(patrol, django_capture_on_commit_callbacks):
    shift = _left_open(patrol)
    with patrol.later(3 * HOUR + GRACE):
        services.sweep()
    note = Notification.objects.get(recipient=patrol.leader, text_code="patrols.shift_closed")
    assert note.params["n"] == 1 and note.link.endswith(f"/patrols/shifts/{shift.pk}/")


def test_checking_out_publishes_the_time_on_patrol(patrol, django_capture_on_commit_callbacks, monkeypatch):
    heard = []
    monkeypatch.setitem(registry._subscribers, "patrol.checked_out", [lambda **kw: heard.append(kw)])
    shift = patrol.plan()
    with django_capture_on_commit_callbacks(execute=True):
        with patrol.later(HOUR):
            services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
        with patrol.later(2 * HOUR):
            services.attendance_check_out(actor=patrol.volunteer, shift=shift, member=patrol.me)
    assert heard == [
        {
            "attendance_id": Attendance.objects.get(shift=shift, member=patrol.me).pk,
            "team_id": patrol.team.pk,
            "user_id": patrol.volunteer.pk,
            "seconds": 3600,
            "automatic": False,
        }
    ]


def test_a_sweep_overtaken_between_listing_and_claiming_closes_nothing(patrol, monkeypatch):
    """The worst moment of a race, replayed: a rival sweep does all the work after the first one listed."""
    from civicgrid.patrols.services import shifts

    _left_open(patrol)
    original = shifts._close
    rival = {}

    def overtaken(shift_id, now):
        if not rival:
            monkeypatch.setattr(shifts, "_close", original)
            rival.update(shifts.sweep(now=now))
        return original(shift_id, now)

    monkeypatch.setattr(shifts, "_close", overtaken)
    with patrol.later(3 * HOUR + GRACE):
        first = shifts.sweep()
    assert rival == {"shifts closed": 1, "members checked out": 1}
    assert first == {"shifts closed": 0, "members checked out": 0}
    assert AuditEvent.objects.filter(action="patrol_shift.close").count() == 1
