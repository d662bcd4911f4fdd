"""Recording contacts, and weekly and monthly coverage with the clock moved across week boundaries
(ISO weeks, Monday first, counted in the deployment's zone)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.partywork import coverage, selectors, services
from civicgrid.partywork.models import ContactLog
from civicgrid.partywork.periods import month_of, week_of

pytestmark = pytest.mark.django_db


def _local(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


@pytest.fixture
def paired(party):
    result = services.contact_pairing_create(
        actor=party.grid_chief_a,
        member=party.member_a,
        households=[party.households[k] for k in ("a", "a2", "a3")],
        since=clock.today() - dt.timedelta(days=60),
    )
    party.pairings = result.pairings
    return party


def _contact(world, pairing, **kw):
    return services.contact_log_create(actor=world.member_a, pairing=pairing, method="visit", **kw)


def test_a_member_records_a_contact_and_the_household_is_contacted_this_week(paired):
    log = _contact(paired, paired.pairings[0], note="老人身体好")
    assert log.contacted_on == clock.today() and log.territory_path == paired.households["a"].territory_path
    rows = {p.household_id: p for p in selectors.my_pairings(paired.member_a)}
    assert rows[paired.households["a"].pk].contacted is True
    assert rows[paired.households["a2"].pk].contacted is False
    assert [p.household_id for p in selectors.my_pairings(paired.member_a)][-1] == paired.households["a"].pk


def test_only_the_paired_member_records_contacts(paired):
    with pytest.raises(PermissionDenied):
        services.contact_log_create(actor=paired.member_a2, pairing=paired.pairings[0], method="phone")


def test_a_contact_in_the_future_or_too_long_ago_is_refused(paired):
    with pytest.raises(ApplicationError) as exc:
        _contact(paired, paired.pairings[0], contacted_on=clock.today() + dt.timedelta(days=1))
    assert exc.value.field == "contacted_on"
    with pytest.raises(ApplicationError):
        _contact(paired, paired.pairings[0], contacted_on=clock.today() - dt.timedelta(days=40))
    with pytest.raises(ApplicationError) as exc:
        services.contact_log_create(actor=paired.member_a, pairing=paired.pairings[0], method="fax")
    assert exc.value.field == "method"
    assert ContactLog.objects.count() == 0


def test_a_contact_on_an_ended_pairing_is_refused(paired):
    services.contact_pairing_end(actor=paired.grid_chief_a, pairing=paired.pairings[0])
    paired.pairings[0].refresh_from_db()
    with pytest.raises(ApplicationError):
        _contact(paired, paired.pairings[0])


def test_a_sunday_night_contact_counts_for_that_week_not_the_next(paired, at_wednesday):
    sunday = week_of().end
    with clock.frozen(_local(sunday, 23, 30)):  # 15:30 UTC: still Sunday in UTC too, but late local
        _contact(paired, paired.pairings[0])
        assert coverage.member_tally(paired.member_a, paired.member_a.pk).week == 1
    with clock.frozen(_local(sunday + dt.timedelta(days=1), 0, 30)):  # Monday 00:30 local = Sunday 16:30 UTC
        assert week_of().start == sunday + dt.timedelta(days=1)
        assert coverage.member_tally(paired.member_a, paired.member_a.pk).week == 0
        _contact(paired, paired.pairings[1])
        assert ContactLog.objects.get(pairing=paired.pairings[1]).contacted_on == sunday + dt.timedelta(
            days=1
        )
        assert coverage.member_tally(paired.member_a, paired.member_a.pk).week == 1


def test_month_coverage_counts_every_contact_of_the_month_once_per_household(paired, at_wednesday):
    today = clock.today()
    _contact(paired, paired.pairings[0])
    services.contact_log_create(actor=paired.member_a, pairing=paired.pairings[0], method="phone")
    earlier = today - dt.timedelta(days=7)
    if earlier >= month_of().start:
        _contact(paired, paired.pairings[1], contacted_on=earlier)
        expected_month = 2
    else:
        expected_month = 1
    tally = coverage.member_tally(paired.member_a, paired.member_a.pk)
    assert (tally.paired, tally.week, tally.month) == (3, 1, expected_month)


def test_a_new_week_starts_with_nobody_contacted_and_last_week_stays_as_it_was(paired, at_wednesday):
    _contact(paired, paired.pairings[0])
    last_week = week_of()
    with clock.frozen(at_wednesday + dt.timedelta(days=7)):
        now = coverage.coverage_for(paired.grid_chief_a, node=paired.grid_a)
        assert (now.total.paired, now.total.week) == (3, 0)
        before = coverage.coverage_for(paired.grid_chief_a, node=paired.grid_a, week=last_week)
        assert (before.total.paired, before.total.week) == (3, 1)


def test_coverage_of_a_community_is_broken_down_by_grid_and_member(paired):
    services.contact_pairing_create(
        actor=paired.secretary, member=paired.member_b, households=[paired.households["b"]]
    )
    _contact(paired, paired.pairings[0])
    cov = coverage.coverage_for(paired.secretary, node=paired.c1)
    by_place = {r.node.code: (r.tally.paired, r.tally.week) for r in cov.places}
    assert by_place[paired.grid_a.code] == (3, 1)
    assert by_place[paired.grid_b.code] == (1, 0)
    assert by_place[paired.grid_c.code] == (0, 0)
    by_member = {r.member.pk: (r.tally.paired, r.tally.week) for r in cov.members}
    assert by_member[paired.member_a.pk] == (3, 1)
    assert by_member[paired.member_a2.pk] == (0, 0)
    assert by_member[paired.member_b.pk] == (1, 0)
    assert (cov.total.paired, cov.total.week, cov.total.week_rate) == (4, 1, 25)
    # grid C's household and grid A's fourth household have nobody paired
    assert cov.unpaired == 2


def test_households_not_contacted_this_week_are_listed_for_the_grid_chief(paired):
    _contact(paired, paired.pairings[0])
    page = coverage.uncontacted_for(paired.grid_chief_a, node=paired.grid_a)
    assert {p.household_id for p in page.rows} == {paired.households["a2"].pk, paired.households["a3"].pk}


def test_a_pairing_made_after_the_week_is_not_counted_in_that_week(paired, at_wednesday):
    last_week = week_of(clock.today() - dt.timedelta(days=7))
    services.contact_pairing_create(
        actor=paired.grid_chief_a, member=paired.member_a2, households=[paired.households["a4"]]
    )
    cov = coverage.coverage_for(paired.grid_chief_a, node=paired.grid_a, week=last_week)
    assert cov.total.paired == 3
