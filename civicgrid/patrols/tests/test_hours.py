"""Hours per member and per team, summed in SQL, clipped to the period: a night shift splits at midnight."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.patrols import hours, selectors, services

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _night_shift(patrol):
    """22:00 to 02:00 local: the member checks in at 22:00 and out at 02:00."""
    shift = patrol.plan(start_in=14 * HOUR, length=4 * HOUR)  # the fixture's now is 08:00
    with patrol.later(14 * HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    with patrol.later(18 * HOUR):
        services.attendance_check_out(actor=patrol.volunteer, shift=shift, member=patrol.me)
    return shift


def test_a_night_shift_counts_four_hours_over_the_two_days(patrol):
    shift = _night_shift(patrol)
    day = timezone.localdate(shift.starts_at)
    both = hours.Period(day, day + dt.timedelta(days=1))
    rows = selectors.member_hours_for(patrol.leader, patrol.team, both)
    assert {m.display_name: m.hours for m in rows}["volunteer_a"] == 4.0


def test_a_night_shift_gives_two_hours_to_each_day(patrol):
    shift = _night_shift(patrol)
    day = timezone.localdate(shift.starts_at)
    for d in (day, day + dt.timedelta(days=1)):
        rows = selectors.member_hours_for(patrol.leader, patrol.team, hours.Period(d, d))
        assert {m.display_name: m.hours for m in rows}["volunteer_a"] == 2.0


def test_team_hours_add_up_every_member_and_skip_open_attendances(patrol, world):
    shift = patrol.plan(start_in=HOUR, length=3 * HOUR)
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
        services.attendance_check_in(actor=patrol.leader, shift=shift, member=patrol.leader_member)
        services.attendance_check_in(actor=patrol.leader, shift=shift, member=patrol.elder)
    with patrol.later(2 * HOUR + dt.timedelta(minutes=30)):
        services.attendance_check_out(actor=patrol.volunteer, shift=shift, member=patrol.me)
    with patrol.later(4 * HOUR):
        services.attendance_check_out(actor=patrol.leader, shift=shift, member=patrol.leader_member)
        # the elder is still out on patrol: no hours until checked out
        month = hours.this_month(timezone.localdate(shift.starts_at))
        teams = {t.pk: t for t in selectors.team_hours_for(world.secretary, month)}
    assert teams[patrol.team.pk].hours == 4.5
    assert teams[patrol.team.pk].active_members == 2 and teams[patrol.team.pk].shift_count == 1
    assert teams[patrol.team_b.pk].hours == 0


def test_the_community_view_of_a_grid_chief_holds_only_their_grid(patrol, world):
    month = hours.this_month(timezone.localdate(patrol.now))
    seen = {t.pk for t in selectors.team_hours_for(world.grid_chief_a, month)}
    assert seen == {patrol.team.pk}


def test_periods_start_and_end_at_local_midnight():
    period = hours.this_month(dt.date(2026, 2, 14))
    assert (period.first, period.last, period.days) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28), 28)
    assert timezone.localtime(period.end).date() == dt.date(2026, 3, 1)
    assert hours.this_week(dt.date(2026, 3, 12)).first == dt.date(2026, 3, 9)
    assert hours.last_month(dt.date(2026, 1, 5)).first == dt.date(2025, 12, 1)
