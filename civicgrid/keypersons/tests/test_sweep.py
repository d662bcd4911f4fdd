"""The sweep: statuses lapse once after their end date; a missed due date alerts the people in charge once."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.audit.models import AuditEvent
from civicgrid.core import clock, registry
from civicgrid.keypersons import services, sweep
from civicgrid.keypersons.models import AlertKind, KeyPerson, KeyPersonAlert, Status
from civicgrid.keypersons.tests.conftest import register, resident_of
from civicgrid.notify.models import Notification
from civicgrid.registry import services as registry_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _world_made_before():
    """The personas' role assignments start before the first day these tests move to."""
    with clock.frozen(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)):
        yield


def at(day: dt.date):
    return clock.frozen(dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC))


def _alerted(text_code: str) -> set[str]:
    return set(Notification.objects.filter(text_code=text_code).values_list("recipient__username", flat=True))


def test_the_sweep_is_declared_in_the_manifest():
    assert any(s.name == "keypersons" and s.run is sweep.run for s in registry.sweeps())


def test_a_status_lapses_the_day_after_its_end_exactly_once_as_a_system_action(people):
    with at(dt.date(2026, 3, 2)):
        kp = register(people, code="community_correction", until=dt.date(2026, 6, 30), colour="yellow")
    with at(dt.date(2026, 6, 30)):
        assert sweep.run()["lapsed"] == 0
    with at(dt.date(2026, 7, 1)):
        assert sweep.run()["lapsed"] == 1
        assert sweep.run()["lapsed"] == 0
    kp.refresh_from_db()
    assert (kp.status, kp.ended_on, kp.next_visit_due) == (Status.LAPSED, dt.date(2026, 7, 1), None)
    event = AuditEvent.objects.get(action="keyperson.lapse")
    assert event.actor is None and event.object_id == str(kp.pk)
    assert [r.action for r in kp.reviews.order_by("id")] == ["register", "lapse"]
    assert _alerted("keypersons.lapsed") == {"grid_chief_a", "secretary", "town_officer", "cadre"}


def test_a_missed_visit_alerts_the_designated_users_over_the_node_once(people):
    with at(dt.date(2026, 3, 2)):
        kp = register(people)  # red: due 9 March
    with at(dt.date(2026, 3, 9)):
        assert sweep.run()["visit_alerts"] == 0  # due today is not yet missed
    with at(dt.date(2026, 3, 10)):
        assert sweep.run()["visit_alerts"] == 1
        assert sweep.run()["visit_alerts"] == 0
    with at(dt.date(2026, 3, 20)):
        assert sweep.run()["visit_alerts"] == 0
    assert _alerted("keypersons.visit_overdue") == {"grid_chief_a", "secretary", "town_officer", "cadre"}
    alert = KeyPersonAlert.objects.get()
    assert (alert.kind, alert.due_on, alert.recipients) == (AlertKind.VISIT_OVERDUE, dt.date(2026, 3, 9), 4)
    note = Notification.objects.filter(text_code="keypersons.visit_overdue").first()
    assert note.params == {"place": "幸福社区 · 第一网格", "due_on": "2026-03-09"}
    assert note.link == f"/keypersons/{kp.pk}/"
    assert resident_of(people).name not in str(note.params)


def test_a_visit_then_a_second_missed_date_alerts_again(people):
    with at(dt.date(2026, 3, 2)):
        kp = register(people)
    with at(dt.date(2026, 3, 10)):
        sweep.run()
        services.keyperson_visit_record(
            actor=people.grid_worker_a, key_person=kp, visited_on=dt.date(2026, 3, 10)
        )
    with at(dt.date(2026, 3, 18)):
        assert sweep.run()["visit_alerts"] == 1
    assert list(KeyPersonAlert.objects.order_by("due_on").values_list("due_on", flat=True)) == [
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 17),
    ]


def test_a_colour_change_back_to_an_alerted_date_does_not_alert_twice(people):
    with at(dt.date(2026, 3, 2)):
        kp = register(people)
    with at(dt.date(2026, 3, 10)):
        sweep.run()
        kp = services.keyperson_review(
            actor=people.grid_chief_a, key_person=kp, risk_colour="green", reason="好转"
        )
        kp = services.keyperson_review(
            actor=people.grid_chief_a, key_person=kp, risk_colour="red", reason="反复"
        )
        assert kp.next_visit_due == dt.date(2026, 3, 9)
        assert sweep.run()["visit_alerts"] == 0


def test_nobody_outside_the_designated_roles_is_alerted(people):
    with at(dt.date(2026, 3, 2)):
        register(people)
    with at(dt.date(2026, 3, 10)):
        sweep.run()
    told = _alerted("keypersons.visit_overdue")
    assert not told & {"grid_worker_a", "unit_chief_a", "clerk", "handler", "grid_chief_b", "outsider"}


def test_the_yearly_review_of_a_colour_alerts_once_when_missed(people):
    with at(dt.date(2025, 3, 2)):
        kp = register(people, code="mental_illness_risk", colour="green")
    with at(dt.date(2026, 3, 3)):
        counts = sweep.run()
        assert counts["review_alerts"] == 1
        assert sweep.run()["review_alerts"] == 0
        services.keyperson_review(
            actor=people.grid_chief_a, key_person=kp, risk_colour="green", reason="复评维持"
        )
        assert sweep.run()["review_alerts"] == 0
    assert KeyPersonAlert.objects.filter(kind=AlertKind.REVIEW_DUE).count() == 1


def test_ended_and_lapsed_persons_raise_no_alerts(people):
    with at(dt.date(2026, 3, 2)):
        kp = register(people)
        services.keyperson_end(actor=people.grid_chief_a, key_person=kp, reason="解除")
    with at(dt.date(2026, 4, 2)):
        assert sweep.run() == {"moved_with_resident": 0, "lapsed": 0, "visit_alerts": 0, "review_alerts": 0}


def test_a_key_person_follows_their_resident_to_another_grid(people):
    with at(dt.date(2026, 3, 2)):
        kp = register(people)
        services.visit_cadence_set(actor=people.secretary, territory=people.grid_b, days={"red": 3})
        registry_services.resident_transfer(
            actor=people.secretary, resident=resident_of(people), to=people.households["b"]
        )
        assert sweep.run()["moved_with_resident"] == 1
        assert sweep.run()["moved_with_resident"] == 0
    kp.refresh_from_db()
    assert kp.territory_path == people.households["b"].territory_path
    assert kp.next_visit_due == dt.date(2026, 3, 5)
    assert KeyPerson.objects.filter(pk=kp.pk, territory_path__startswith=people.grid_b.path).exists()
