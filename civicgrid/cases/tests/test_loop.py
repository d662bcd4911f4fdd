"""The whole loop through the services: intake at the grid, escalation, dispatch, resolution, rating."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from civicgrid.cases import deadlines, services
from civicgrid.cases.models import Case, Category, Deadline, State, Tier
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def _submit(world, **kw):
    defaults = {
        "actor": world.grid_worker_a,
        "channel": "walk_in",
        "category": Category.objects.get(code="water"),
        "title": "停水",
        "description": "三天没有水了",
        "house": world.households["a"].house,
    }
    return services.case_submit(**{**defaults, **kw})


def test_a_case_climbs_from_grid_to_department_and_closes_with_a_rating(world):
    case = _submit(world, category=Category.objects.get(code="sanitation"))
    assert (case.tier, case.state) == (Tier.GRID, State.RECEIVED)
    case = services.case_respond(actor=world.grid_chief_a, case=case)
    case = services.case_escalate(actor=world.grid_chief_a, case=case, note="需要社区协调")
    assert case.tier == Tier.COMMUNITY
    with pytest.raises(PermissionDenied):  # the grid chief no longer acts on it
        services.case_resolve(actor=world.grid_chief_a, case=case, note="x")
    case = services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    assert (case.tier, case.dispatched) == (Tier.DEPARTMENT, True)
    case = services.case_resolve(actor=world.handler, case=case, note="已修复")
    assert case.state == State.RESOLVED and case.settled_tier == Tier.DEPARTMENT
    case = services.case_rate(actor=None, case=case, rating="satisfied", by_reporter=True)
    assert case.state == State.CLOSED
    assert [e.action for e in case.events.all()] == [
        "submit",
        "respond",
        "escalate",
        "dispatch",
        "resolve",
        "rate",
    ]


def test_an_invalid_action_changes_nothing(world):
    case = _submit(world)
    with pytest.raises(ApplicationError) as refused:
        services.case_rate(actor=world.secretary, case=case, rating="satisfied")
    assert refused.value.code == "invalid_transition"
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.events.count() == 1


def test_the_same_idempotency_key_never_makes_a_second_case(world):
    first = _submit(world, idempotency_key="hotline-42")
    again = _submit(world, idempotency_key="hotline-42")
    assert first.pk == again.pk and Case.objects.count() == 1


def test_an_overdue_case_is_escalated_once_by_the_sweep(world):
    case = _submit(world, category=Category.objects.get(code="sanitation"))
    due = case.deadlines.get(kind="respond").due_at
    later = due + dt.timedelta(minutes=1)
    with clock.frozen(later):
        assert deadlines.sweep()["escalated"] >= 1
        assert deadlines.sweep()["escalated"] == 0  # nothing twice
    case.refresh_from_db()
    assert case.tier == Tier.COMMUNITY
    assert Deadline.objects.filter(case=case, breached_at__isnull=False).count() >= 1
    assert case.events.filter(action="escalate").count() == 1
