"""Registering, reviewing and ending key persons; visits logged elsewhere move the next due date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from civicgrid.audit.models import AuditEvent
from civicgrid.core import clock, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.keypersons import services
from civicgrid.keypersons.models import KeyPerson, KeyPersonCategory, Status
from civicgrid.keypersons.tests.conftest import DAY, register, resident_of
from civicgrid.registry import services as registry_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _monday():
    with clock.frozen(dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)):
        yield


def test_drug_rehabilitation_lapses_three_years_after_the_start_and_red_is_visited_weekly(people):
    kp = register(people, since=dt.date(2026, 2, 1))
    assert kp.until == dt.date(2029, 2, 1)
    assert kp.next_visit_due == dt.date(2026, 2, 8)
    assert kp.territory_path == resident_of(people).territory_path
    assert kp.review_due is None
    assert [(r.action, r.colour_from, r.colour_to) for r in kp.reviews.all()] == [("register", "", "red")]


def test_a_start_on_29_february_lapses_on_28_february(people):
    with clock.frozen(dt.datetime(2028, 3, 1, 9, tzinfo=dt.UTC)):
        kp = register(people, since=dt.date(2028, 2, 29))
    assert kp.until == dt.date(2031, 2, 28)


def test_community_correction_needs_the_end_of_the_sentence(people):
    with pytest.raises(ApplicationError) as exc:
        register(people, code="community_correction")
    assert exc.value.field == "until"
    kp = register(people, code="community_correction", until=dt.date(2027, 6, 30), colour="yellow")
    assert kp.until == dt.date(2027, 6, 30)
    assert kp.next_visit_due == DAY + dt.timedelta(days=30)


def test_mental_illness_has_no_automatic_end_but_a_yearly_colour_review(people):
    kp = register(people, code="mental_illness_risk", colour="green")
    assert kp.until is None
    assert kp.review_due == dt.date(2027, 3, 2)
    assert kp.next_visit_due == DAY + dt.timedelta(days=90)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"since": dt.date(2026, 3, 3)}, "since"),
        ({"reason": "  "}, "reason"),
        ({"colour": "blue"}, "risk_colour"),
        ({"since": dt.date(2022, 1, 1)}, "until"),  # three years over already
        ({"until": dt.date(2026, 3, 1), "since": dt.date(2026, 3, 1)}, "until"),
    ],
)
def test_bad_input_is_refused_on_the_field_at_fault(people, kwargs, field):
    with pytest.raises(ApplicationError) as exc:
        register(people, **kwargs)
    assert exc.value.field == field
    assert not KeyPerson.objects.exists()


def test_one_resident_is_registered_once_per_category_while_active(people):
    kp = register(people)
    with pytest.raises(ApplicationError) as exc:
        register(people)
    assert exc.value.field == "category"
    register(people, code="released_after_sentence", colour="yellow")  # another category is fine
    services.keyperson_end(actor=people.grid_chief_a, key_person=kp, reason="康复期满评估良好")
    assert register(people).status == Status.ACTIVE


def test_a_resident_who_moved_out_cannot_be_registered(people):
    resident = resident_of(people)
    registry_services.resident_move_out(actor=people.secretary, resident=resident, note="迁往外省")
    with pytest.raises(ApplicationError) as exc:
        register(people)
    assert exc.value.field == "resident"


def test_a_county_category_applies_only_under_its_county(people):
    from civicgrid.territory import services as territory_services

    other = territory_services.territory_create(actor=None, level="county", code="520603000000", name="邻县")
    theirs = KeyPersonCategory.objects.create(
        code="drunk_driving", name_zh="醉驾人员", name_en="Drunk driving", end_rule="review", territory=other
    )
    ours = KeyPersonCategory.objects.create(
        code="drunk_driving",
        name_zh="醉驾人员",
        name_en="Drunk driving",
        end_rule="review",
        territory=people.county,
    )
    with pytest.raises(ApplicationError) as exc:
        services.keyperson_register(
            actor=people.grid_chief_a,
            resident=resident_of(people),
            category=theirs,
            risk_colour="red",
            reason="多次醉驾",
        )
    assert exc.value.field == "category"
    kp = services.keyperson_register(
        actor=people.grid_chief_a,
        resident=resident_of(people),
        category=ours,
        risk_colour="red",
        reason="多次醉驾",
    )
    assert kp.category == ours


def test_only_designated_roles_register_and_only_in_their_area(people):
    with pytest.raises(PermissionDenied):
        register(people, actor=people.grid_worker_a)
    with pytest.raises(PermissionDenied):
        register(people, actor=people.unit_chief_a)
    with pytest.raises(Http404):
        register(people, actor=people.grid_chief_b)
    with pytest.raises(Http404):
        register(people, actor=people.outsider)
    assert register(people, actor=people.cadre).registered_by == people.cadre


def test_a_new_colour_moves_the_next_visit_from_the_last_one(people):
    kp = register(people, colour="green", since=dt.date(2026, 1, 1))
    assert kp.next_visit_due == dt.date(2026, 4, 1)
    services.keyperson_visit_record(
        actor=people.grid_worker_a, key_person=kp, visited_on=dt.date(2026, 2, 20)
    )
    kp = services.keyperson_review(
        actor=people.grid_chief_a, key_person=kp, risk_colour="red", reason="近期情绪不稳"
    )
    assert kp.next_visit_due == dt.date(2026, 2, 27)  # the last visit + 7: overdue at once
    assert kp.overdue
    history = [(r.action, r.colour_from, r.colour_to, r.reviewer) for r in kp.reviews.order_by("id")]
    assert history[-1] == ("review", "green", "red", people.grid_chief_a)


def test_confirming_the_colour_keeps_the_due_date_and_moves_the_yearly_review(people):
    kp = register(people, code="mental_illness_risk", colour="yellow", since=dt.date(2025, 6, 1))
    due = kp.next_visit_due
    kp = services.keyperson_review(
        actor=people.secretary, key_person=kp, risk_colour="yellow", reason="复评维持黄色"
    )
    assert kp.next_visit_due == due
    assert kp.review_due == dt.date(2027, 3, 2)


def test_an_ended_key_person_cannot_be_reviewed(people):
    kp = register(people)
    kp = services.keyperson_end(actor=people.grid_chief_a, key_person=kp, reason="解除社区康复")
    assert (kp.status, kp.ended_on, kp.next_visit_due) == (Status.ENDED, DAY, None)
    with pytest.raises(ApplicationError) as exc:
        services.keyperson_review(
            actor=people.grid_chief_a, key_person=kp, risk_colour="green", reason="复评"
        )
    assert exc.value.code == "not_active"


def test_the_audit_log_never_names_the_person(people):
    kp = register(people)
    services.keyperson_review(actor=people.grid_chief_a, key_person=kp, risk_colour="yellow", reason="好转")
    resident = resident_of(people)
    rows = AuditEvent.objects.filter(action__startswith="keyperson.")
    assert {e.action for e in rows} == {"keyperson.register", "keyperson.review"}
    for event in rows:
        text = f"{event.object_repr} {event.summary}"
        assert resident.name not in text
        assert resident.id_number.plaintext() not in text
        assert event.object_repr == f"KP-{kp.pk}"


def _visit(kp, day, *, kind="key_person", visit_id=1, actor=None):
    registry.publish(
        "visit.logged",
        visit_id=visit_id,
        household_id=kp.resident.household_id,
        resident_id=kp.resident_id,
        kind=kind,
        visited_on=day,
        actor_id=getattr(actor, "pk", None),
        territory_path=kp.territory_path,
    )
    kp.refresh_from_db()
    return kp


def test_a_key_person_visit_logged_by_a_grid_worker_moves_the_next_visit(people):
    kp = register(people, since=dt.date(2026, 2, 1))
    kp = _visit(kp, dt.date(2026, 2, 28), actor=people.grid_worker_a)
    assert (kp.last_visited_on, kp.next_visit_due) == (dt.date(2026, 2, 28), dt.date(2026, 3, 7))
    assert kp.visits.get().by == people.grid_worker_a
    assert AuditEvent.objects.filter(action="keyperson.visit", actor=people.grid_worker_a).count() == 1


def test_the_same_visit_counts_once_and_an_older_one_does_not_move_the_date(people):
    kp = register(people, since=dt.date(2026, 2, 1))
    kp = _visit(kp, dt.date(2026, 2, 28), visit_id=7)
    kp = _visit(kp, dt.date(2026, 2, 28), visit_id=7)
    kp = _visit(kp, "2026-02-20", visit_id=8)  # an ISO date from a queue: recorded, date kept
    assert kp.visits.count() == 2
    assert kp.next_visit_due == dt.date(2026, 3, 7)


def test_other_visit_kinds_future_dates_and_ended_persons_are_ignored(people):
    kp = register(people, since=dt.date(2026, 2, 1))
    kp = _visit(kp, dt.date(2026, 2, 28), kind="comprehensive")
    kp = _visit(kp, dt.date(2026, 3, 9), visit_id=2)
    assert kp.last_visited_on is None
    services.keyperson_end(actor=people.grid_chief_a, key_person=kp, reason="解除管控")
    kp = _visit(kp, dt.date(2026, 3, 1), visit_id=3)
    assert kp.last_visited_on is None and not kp.visits.exists()
