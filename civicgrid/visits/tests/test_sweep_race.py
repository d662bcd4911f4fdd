"""Racing sweeps and visits never make two open rows, meet a row twice, or remind twice.

The worst moments, replayed deterministically on either database: a sweep inserts rows it listed
before another sweep (or a visit) committed the same ones; two visits meet one row; a sweep claims
overdue rows another has claimed.
"""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.core import clock
from civicgrid.notify.models import Notification
from civicgrid.visits import dues
from civicgrid.visits.models import VisitDue
from civicgrid.visits.tests.helpers import NOW, visit

pytestmark = pytest.mark.django_db


def test_rows_listed_before_another_sweep_committed_them_are_not_inserted_twice(world, rules):
    rule = rules["round"]
    listed = [
        VisitDue(
            household=h, territory_path=h.territory_path, rule=rule, kind=rule.kind, due_on=rule.starts_on
        )
        for h in world.households.values()
    ]
    dues.sweep()  # the other sweep wins
    dues._insert(listed)  # the first one's inserts arrive late
    per_household = VisitDue.objects.filter(VisitDue.OPEN, rule=rule).values_list("household_id", flat=True)
    assert sorted(per_household) == sorted(h.pk for h in world.households.values())


def test_a_visit_that_opened_the_next_round_is_not_doubled_by_a_sweep(world, rules):
    household = world.households["a"]
    dues.sweep()
    visit(world.grid_worker_a, household)
    dues._insert(
        [
            VisitDue(
                household=household,
                territory_path=household.territory_path,
                rule=rules["round"],
                kind="comprehensive",
                due_on=rules["round"].starts_on,
            )
        ]
    )
    assert VisitDue.objects.filter(VisitDue.OPEN, household=household, rule=rules["round"]).count() == 1


def test_two_visits_racing_meet_a_row_once(world, rules):
    dues.sweep()
    first = visit(world.grid_worker_a, world.households["a"])
    second = visit(world.grid_chief_a, world.households["a"], kind="comprehensive")
    met = VisitDue.objects.filter(met_by__in=[first, second], rule=rules["round"])
    assert met.count() == 2  # the first met the sweep's row, the second the row the first opened
    assert (
        VisitDue.objects.filter(VisitDue.OPEN, household=world.households["a"], rule=rules["round"]).count()
        == 1
    )


def test_overdue_rows_are_claimed_and_reminded_once_per_grid(world, rules):
    dues.open_missing(rules["round"])  # due since 1 January: overdue, not yet noted
    with clock.frozen(NOW + dt.timedelta(days=1)):
        first = dues.note_overdue()
        second = dues.note_overdue()
    assert len(first) == 4 and second == []
    reminders = Notification.objects.filter(text_code="visits.overdue")
    grid_a = {n.recipient_id for n in reminders if n.params["place"] == world.grid_a.name}
    assert grid_a == {world.grid_chief_a.pk, world.grid_worker_a.pk}
    assert reminders.count() == len({(n.recipient_id, n.params["place"]) for n in reminders})
