"""Visit cadences by colour: national defaults, set on a node, inherited below, overridden further down."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from civicgrid.audit.models import AuditEvent
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.keypersons import selectors, services
from civicgrid.keypersons.tests.conftest import register

pytestmark = pytest.mark.django_db

SINCE = dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def _frozen():
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        yield


def _set(world, node, actor=None, **days):
    return services.visit_cadence_set(actor=actor or world.secretary, territory=node, days=days)


def test_without_settings_red_is_weekly_yellow_monthly_and_green_quarterly(people):
    dues = [
        register(people, code=c, colour=col, since=SINCE, until=dt.date(2027, 1, 1)).next_visit_due
        for c, col in [
            ("drug_rehabilitation", "red"),
            ("community_correction", "yellow"),
            ("petitioner", "green"),
        ]
    ]
    assert dues == [dt.date(2026, 3, 8), dt.date(2026, 3, 31), dt.date(2026, 5, 30)]


def test_a_community_setting_moves_the_next_visits_below_it_at_once(people):
    in_a = register(people, since=SINCE)
    in_x = register(people, "x", since=SINCE, actor=people.town_officer)
    changes = _set(people, people.c1, red=14)
    assert changes == {"red": [None, 14]}
    in_a.refresh_from_db()
    in_x.refresh_from_db()
    assert in_a.next_visit_due == dt.date(2026, 3, 15)
    assert in_x.next_visit_due == dt.date(2026, 3, 8)  # C2 keeps the default
    event = AuditEvent.objects.get(action="keyperson.cadence")
    assert event.summary == {"days": {"red": [None, 14]}, "next_visits_moved": 1}


def test_a_grid_overrides_its_community_and_clearing_it_inherits_again(people):
    kp = register(people, since=SINCE)
    _set(people, people.c1, red=14, green=60)
    _set(people, people.grid_a, red=3)
    kp.refresh_from_db()
    assert kp.next_visit_due == dt.date(2026, 3, 4)
    shown = selectors.cadence_for(people.secretary, people.grid_a)
    assert shown["red"] == {"days": 3, "own": 3, "inherited_days": 14, "inherited_from": people.c1.name}
    assert shown["green"]["days"] == 60 and shown["green"]["own"] is None
    assert shown["yellow"] == {"days": 30, "own": None, "inherited_days": 30, "inherited_from": ""}
    _set(people, people.grid_a, red=None)
    kp.refresh_from_db()
    assert kp.next_visit_due == dt.date(2026, 3, 15)


def test_a_grid_b_setting_leaves_grid_a_alone(people):
    kp = register(people, since=SINCE)
    _set(people, people.grid_b, red=2)
    kp.refresh_from_db()
    assert kp.next_visit_due == dt.date(2026, 3, 8)


def test_saving_the_same_numbers_changes_nothing_and_records_nothing(people):
    _set(people, people.c1, red=10)
    assert _set(people, people.c1, red=10) == {}
    assert AuditEvent.objects.filter(action="keyperson.cadence").count() == 1


def test_only_leaders_of_the_node_set_cadences(people):
    with pytest.raises(PermissionDenied):
        _set(people, people.grid_a, actor=people.grid_chief_a, red=3)
    with pytest.raises(Http404):
        _set(people, people.c2, actor=people.secretary, red=3)
    assert _set(people, people.town, actor=people.town_officer, red=5) == {"red": [None, 5]}


@pytest.mark.parametrize("days", [0, 366])
def test_days_out_of_range_are_refused_on_their_field(people, days):
    with pytest.raises(ApplicationError) as exc:
        _set(people, people.c1, yellow=days)
    assert exc.value.field == "yellow_days"


def test_cadences_are_not_set_on_a_unit(people):
    with pytest.raises(ApplicationError) as exc:
        _set(people, people.unit_a1, red=3)
    assert exc.value.field == "territory"
