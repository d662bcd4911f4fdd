"""Check-in and check-out rules, with a moved clock: once each, in order, by the member or their leader."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import services
from civicgrid.patrols.models import Attendance

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def test_a_member_checks_in_and_out_of_a_planned_shift(patrol):
    shift = patrol.plan()
    with patrol.later(HOUR):
        row = services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    with patrol.later(2 * HOUR + dt.timedelta(minutes=30)):
        row = services.attendance_check_out(actor=patrol.volunteer, shift=shift, member=patrol.me)
    assert row.checked_out_at - row.checked_in_at == dt.timedelta(minutes=90)
    assert row.expected and not row.closed_by_sweep


def test_checking_out_before_checking_in_is_refused(patrol):
    shift = patrol.plan()
    with patrol.later(HOUR), pytest.raises(ApplicationError) as exc:
        services.attendance_check_out(actor=patrol.volunteer, shift=shift, member=patrol.me)
    assert exc.value.code == "not_checked_in"


def test_checking_in_twice_is_refused_and_keeps_the_first_time(patrol):
    shift = patrol.plan()
    with patrol.later(HOUR):
        first = services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    with patrol.later(HOUR + dt.timedelta(minutes=5)), pytest.raises(ApplicationError) as exc:
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    assert exc.value.code == "already_checked_in"
    assert Attendance.objects.get(pk=first.pk).checked_in_at == first.checked_in_at


def test_checking_in_again_after_checking_out_is_refused(patrol):
    shift = patrol.plan()
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
        services.attendance_check_out(actor=patrol.volunteer, shift=shift, member=patrol.me)
        with pytest.raises(ApplicationError) as exc:
            services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    assert exc.value.code == "already_checked_out"


def test_check_in_opens_half_an_hour_before_the_start_and_closes_at_the_end(patrol):
    shift = patrol.plan(start_in=2 * HOUR)
    with patrol.later(HOUR), pytest.raises(ApplicationError) as exc:
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    assert exc.value.code == "too_early"
    with patrol.later(2 * HOUR - dt.timedelta(minutes=29)):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    with patrol.later(4 * HOUR), pytest.raises(ApplicationError) as exc:
        services.attendance_check_in(actor=patrol.leader, shift=shift, member=patrol.leader_member)
    assert exc.value.code == "ended"


def test_a_member_cannot_check_in_for_another_member(patrol):
    shift = patrol.plan()
    with patrol.later(HOUR), pytest.raises(PermissionDenied):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.leader_member)
    assert not Attendance.objects.filter(shift=shift, checked_in_at__isnull=False).exists()


def test_the_leader_checks_in_a_resident_without_an_account(patrol):
    shift = patrol.plan(members=[patrol.elder])
    with patrol.later(HOUR):
        row = services.attendance_check_in(actor=patrol.leader, shift=shift, member=patrol.elder)
    assert row.recorded_by == patrol.leader and row.member.display_name == "张大爷"


def test_a_team_member_not_expected_may_still_join_the_shift(patrol):
    shift = patrol.plan(members=[patrol.leader_member])
    with patrol.later(HOUR):
        row = services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    assert row.expected is False


def test_a_point_at_check_in_is_located_to_its_grid(patrol, world):
    shift = patrol.plan()
    with patrol.later(HOUR):
        row = services.attendance_check_in(
            actor=patrol.volunteer, shift=shift, member=patrol.me, lon=108.01, lat=27.01
        )
    assert row.located == world.grid_a


def test_a_shift_must_end_after_it_starts_and_lie_ahead(patrol):
    start = clock.now() + HOUR
    with pytest.raises(ApplicationError) as exc:
        services.shift_plan(actor=patrol.leader, team=patrol.team, starts_at=start, ends_at=start)
    assert exc.value.field == "ends_at"
    with pytest.raises(ApplicationError) as exc:
        services.shift_plan(
            actor=patrol.leader, team=patrol.team, starts_at=start - 3 * HOUR, ends_at=start - 2 * HOUR
        )
    assert exc.value.field == "ends_at"


def test_a_plain_member_cannot_plan_shifts(patrol):
    start = clock.now() + HOUR
    with pytest.raises(PermissionDenied):
        services.shift_plan(actor=patrol.volunteer, team=patrol.team, starts_at=start, ends_at=start + HOUR)
