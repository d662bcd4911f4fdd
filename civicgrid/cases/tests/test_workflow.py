"""The workflow: every action from every state, the tier rules, and the checks inside each action.

The matrix below is written out by hand on purpose: it is what the product promises, so a change to
`workflow.ACTIONS` that moves an action's states has to be made here too, knowingly.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from civicgrid.accounts.roles import Role
from civicgrid.cases import services, workflow
from civicgrid.cases.models import (
    Case,
    CaseAssignment,
    Category,
    Extension,
    Follower,
    ReopenTo,
    State,
    Tier,
)
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.orgs import services as orgs_services
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db

S = State
ALLOWED_FROM = {
    "respond": {S.RECEIVED},
    "escalate": {S.RECEIVED, S.HANDLING},
    "return": {S.RECEIVED, S.HANDLING},
    "dispatch": {S.RECEIVED, S.HANDLING},
    "resolve": {S.RECEIVED, S.HANDLING},
    "rate": {S.RESOLVED},
    "merge": {S.RECEIVED, S.HANDLING},
    "request_extension": {S.RECEIVED, S.HANDLING},
    "decide_extension": {S.RECEIVED, S.HANDLING},
    "comment": {S.RECEIVED, S.HANDLING, S.RESOLVED},
}


def _submit(world, code="sanitation", **kw):
    data = {
        "actor": world.grid_worker_a,
        "channel": "walk_in",
        "category": Category.objects.get(code=code),
        "title": "垃圾满了",
        "description": "楼下垃圾桶三天没清",
        "house": world.households["a"].house,
    }
    return services.case_submit(**{**data, **kw})


def _in_state(world, state: str) -> Case:
    """A grid-tier case in grid A brought to `state` by the grid chief."""
    case = _submit(world)
    chief = world.grid_chief_a
    if state == S.HANDLING:
        case = services.case_respond(actor=chief, case=case)
    elif state in (S.RESOLVED, S.CLOSED):
        case = services.case_resolve(actor=chief, case=case, note="已清理")
        if state == S.CLOSED:
            case = services.case_rate(actor=chief, case=case, rating="satisfied")
    elif state == S.MERGED:
        case = services.case_merge(actor=chief, case=case, into=_submit(world, title="原件"), note="重复")
    assert case.state == state
    return case


def _snapshot(case: Case) -> dict:
    case = Case.objects.get(pk=case.pk)
    return {
        "case": (case.state, case.tier, case.handler_id, case.resolved_at, case.rating, case.merged_into_id),
        "events": list(case.events.values_list("pk", "action")),
        "deadlines": list(case.deadlines.order_by("pk").values()),
        "assignments": list(CaseAssignment.objects.filter(case=case).values()),
        "extensions": list(Extension.objects.filter(deadline__case=case).values()),
    }


def _perform(world, action: str, case: Case, target: Case, pending: Extension | None):
    """Each action, done by the secretary: she holds every case permission over grid A."""
    actor = world.secretary
    calls = {
        "respond": lambda: services.case_respond(actor=actor, case=case, note="收到"),
        "escalate": lambda: services.case_escalate(actor=actor, case=case, note="需要社区协调"),
        "return": lambda: services.case_return(actor=actor, case=case, note="单元可以处理"),
        "dispatch": lambda: services.case_dispatch(actor=actor, case=case, departments=[world.department]),
        "resolve": lambda: services.case_resolve(actor=actor, case=case, note="已清理"),
        "rate": lambda: services.case_rate(actor=actor, case=case, rating="satisfied"),
        "merge": lambda: services.case_merge(actor=actor, case=case, into=target, note="重复"),
        "request_extension": lambda: services.case_extension_request(
            actor=actor, case=case, days=2, note="等材料"
        ),
        "decide_extension": lambda: services.case_extension_decide(
            actor=actor, extension=pending, approve=True
        ),
        "comment": lambda: services.case_comment(actor=actor, case=case, note="已电话联系"),
    }
    return calls[action]()


def _done(action: str, case: Case, target: Case) -> bool:
    """What each action visibly changes, read back from the database."""
    case = Case.objects.get(pk=case.pk)
    last = case.events.order_by("-pk").first()
    return {
        "respond": lambda: case.state == S.HANDLING and case.responded_at is not None,
        "escalate": lambda: case.tier == Tier.COMMUNITY and last.action == "escalate",
        "return": lambda: case.tier == Tier.UNIT and last.action == "return",
        "dispatch": lambda: case.tier == Tier.DEPARTMENT and case.assignments.filter(active=True).exists(),
        "resolve": lambda: case.state == S.RESOLVED and case.settled_tier == Tier.GRID,
        "rate": lambda: case.state == S.CLOSED and case.rating == "satisfied",
        "merge": lambda: case.state == S.MERGED and case.merged_into_id == target.pk,
        "request_extension": lambda: Extension.objects.filter(deadline__case=case, status="pending").exists(),
        "decide_extension": lambda: Extension.objects.filter(deadline__case=case, status="approved").exists(),
        "comment": lambda: last.action == "comment" and not last.public,
    }[action]()


def test_the_matrix_covers_every_action_of_the_workflow():
    assert set(ALLOWED_FROM) == set(workflow.ACTIONS)
    for name, action in workflow.ACTIONS.items():
        assert set(action.from_states) == ALLOWED_FROM[name], name


@pytest.mark.parametrize("state", list(State.values))
@pytest.mark.parametrize("action", list(ALLOWED_FROM))
def test_each_action_from_each_state_is_done_or_refused_with_no_change(world, action, state):
    pending = None
    if action == "decide_extension":
        # Asked for while the case was open; the decision then meets the case in `state`.
        case = _submit(world)
        pending = services.case_extension_request(actor=world.grid_chief_a, case=case, days=2, note="等")
        chief = world.grid_chief_a
        if state == S.HANDLING:
            services.case_respond(actor=chief, case=case)
        elif state in (S.RESOLVED, S.CLOSED):
            services.case_resolve(actor=chief, case=case, note="已清理")
            if state == S.CLOSED:
                services.case_rate(actor=chief, case=case, rating="satisfied")
        elif state == S.MERGED:
            services.case_merge(actor=chief, case=case, into=_submit(world), note="重复")
        case.refresh_from_db()
        assert case.state == state
    else:
        case = _in_state(world, state)
    target = _submit(world, title="另一件")
    if state in ALLOWED_FROM[action]:
        _perform(world, action, case, target, pending)
        assert _done(action, case, target)
    else:
        before = _snapshot(case)
        with pytest.raises(ApplicationError) as refused:
            _perform(world, action, case, target, pending)
        assert refused.value.code == "invalid_transition"
        assert _snapshot(case) == before


# --- Tiers ------------------------------------------------------------------------------------------


def test_escalation_climbs_one_tier_at_a_time_and_opens_a_new_round(world):
    case = _submit(world, code="neighbour_dispute")
    assert case.tier == Tier.UNIT
    tiers = []
    for actor in (world.grid_chief_a, world.grid_chief_a, world.secretary):
        case = services.case_escalate(actor=actor, case=case, note="上报")
        tiers.append(case.tier)
    assert tiers == [Tier.GRID, Tier.COMMUNITY, Tier.TOWN]
    running = case.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True)
    assert {d.round for d in running} == {4} and {d.tier for d in running} == {Tier.TOWN}


def test_escalating_from_the_town_is_refused_the_town_dispatches_instead(world):
    case = _submit(world, code="illegal_construction")
    assert case.tier == Tier.TOWN
    before = _snapshot(case)
    with pytest.raises(ApplicationError) as refused:
        services.case_escalate(actor=world.town_officer, case=case, note="上报")
    assert refused.value.code == "invalid_transition" and _snapshot(case) == before
    case = services.case_dispatch(actor=world.town_officer, case=case, departments=[world.department])
    assert case.tier == Tier.DEPARTMENT


def test_a_department_cannot_escalate_further(world):
    case = _submit(world, code="water")
    case = services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    with pytest.raises(ApplicationError) as refused:
        services.case_escalate(actor=world.handler, case=case, note="上报")
    assert refused.value.code == "invalid_transition"


def test_returning_from_the_lowest_tier_is_refused(world):
    at_unit = _submit(world, code="neighbour_dispute")
    assert at_unit.tier == Tier.UNIT
    before = _snapshot(at_unit)
    with pytest.raises(ApplicationError) as refused:
        services.case_return(actor=world.grid_chief_a, case=at_unit, note="退回")
    assert refused.value.code == "invalid_transition" and _snapshot(at_unit) == before


def test_a_case_placed_on_a_grid_cannot_be_returned_below_the_grid(world):
    case = _submit(world, house=None, territory=world.grid_a)
    assert case.tier == Tier.GRID
    with pytest.raises(ApplicationError) as refused:
        services.case_return(actor=world.grid_chief_a, case=case, note="退回")
    assert refused.value.code == "invalid_transition"


def test_returning_from_a_department_ends_its_assignment(world):
    case = _submit(world, code="water")
    case = services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    case = services.case_return(actor=world.handler, case=case, note="不属于本局职责")
    assert case.tier == Tier.TOWN
    assignment = CaseAssignment.objects.get(case=case)
    assert assignment.active is False and assignment.finished_at is not None
    with pytest.raises(PermissionDenied):  # the department still sees it, but no longer acts on it
        services.case_resolve(actor=world.handler, case=case, note="x")


def test_a_grid_worker_cannot_dispatch_and_a_sibling_grid_cannot_see(world):
    case = _submit(world)
    with pytest.raises(PermissionDenied):
        services.case_dispatch(actor=world.grid_worker_a, case=case, departments=[world.department])
    with pytest.raises(Http404):
        services.case_respond(actor=world.grid_chief_b, case=case)
    with pytest.raises(Http404):
        services.case_respond(actor=world.handler, case=case)  # not dispatched to the department
    assert Case.objects.get(pk=case.pk).state == S.RECEIVED


def test_an_accepted_case_that_moves_tier_waits_for_no_second_response(world):
    case = services.case_respond(actor=world.grid_chief_a, case=_submit(world))
    case = services.case_escalate(actor=world.grid_chief_a, case=case, note="上报")
    running = case.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True, breached_at__isnull=True)
    assert [d.kind for d in running] == ["resolve"]


# --- Dispatch ---------------------------------------------------------------------------------------


def test_dispatch_to_several_departments_makes_the_first_lead(world):
    other = orgs_services.organisation_create(
        actor=None, kind="department", name="县住建局", territory=world.county, categories=["roads"]
    )
    case = services.case_dispatch(
        actor=world.secretary, case=_submit(world, code="water"), departments=[other, world.department]
    )
    leads = dict(CaseAssignment.objects.filter(case=case).values_list("department_id", "lead"))
    assert leads == {other.pk: True, world.department.pk: False}


def test_dispatch_refuses_what_is_not_a_department(world):
    branch = orgs_services.organisation_create(actor=None, kind="mass_org", name="妇联", territory=world.c1)
    case = _submit(world, code="water")
    before = _snapshot(case)
    with pytest.raises(ApplicationError) as refused:
        services.case_dispatch(actor=world.secretary, case=case, departments=[branch])
    assert refused.value.field == "departments" and _snapshot(case) == before


def test_dispatch_refuses_a_department_that_does_not_serve_the_place(world):
    far = orgs_services.organisation_create(
        actor=None, kind="department", name="和平村供水站", territory=world.c2, categories=["water"]
    )
    case = _submit(world, code="water")
    before = _snapshot(case)
    with pytest.raises(ApplicationError) as refused:
        services.case_dispatch(actor=world.secretary, case=case, departments=[world.department, far])
    assert refused.value.field == "departments" and _snapshot(case) == before


def test_dispatch_refuses_an_empty_list(world):
    case = _submit(world, code="water")
    with pytest.raises(ApplicationError) as refused:
        services.case_dispatch(actor=world.secretary, case=case, departments=[])
    assert refused.value.field == "departments"


# --- Merge ------------------------------------------------------------------------------------------


def test_merging_moves_the_reporters_to_the_case_that_stays(world):
    first_reporter, second_reporter = make_user("reporter_1"), make_user("reporter_2")
    target = _submit(world, reporter_user=first_reporter)
    duplicate = _submit(world, reporter_user=second_reporter)
    services.case_merge(actor=world.grid_chief_a, case=duplicate, into=target, note="同一件事")
    followers = set(Follower.objects.filter(case=target).values_list("user_id", flat=True))
    assert followers == {first_reporter.pk, second_reporter.pk}
    duplicate.refresh_from_db()
    assert (
        duplicate.state == S.MERGED
        and not duplicate.deadlines.filter(
            cancelled_at__isnull=True, met_at__isnull=True, breached_at__isnull=True
        ).exists()
    )
    assert target.events.filter(action="merged_in", data__from=duplicate.code).exists()


def test_merging_into_a_closed_case_is_refused(world):
    closed = _in_state(world, S.CLOSED)
    case = _submit(world)
    before = _snapshot(case)
    with pytest.raises(ApplicationError) as refused:
        services.case_merge(actor=world.grid_chief_a, case=case, into=closed, note="重复")
    assert refused.value.field == "into" and _snapshot(case) == before


def test_a_case_cannot_be_merged_into_itself(world):
    case = _submit(world)
    with pytest.raises(ApplicationError) as refused:
        services.case_merge(actor=world.grid_chief_a, case=case, into=case, note="重复")
    assert refused.value.field == "into"
    assert Case.objects.get(pk=case.pk).state == S.RECEIVED


def test_merging_into_a_case_out_of_sight_is_not_found(world):
    theirs = _submit(world, actor=world.secretary, house=world.households["b"].house)
    case = _submit(world)
    with pytest.raises(Http404):
        services.case_merge(actor=world.grid_chief_a, case=case, into=theirs, note="重复")
    assert Case.objects.get(pk=case.pk).state == S.RECEIVED


# --- Rating and reopening ---------------------------------------------------------------------------


def test_an_unsatisfied_rating_reopens_at_the_same_tier_by_default(world):
    case = _in_state(world, S.RESOLVED)
    case = services.case_rate(
        actor=None, case=case, rating="unsatisfied", comment="没扫干净", by_reporter=True
    )
    assert (case.state, case.tier, case.reopen_count, case.resolved_at) == (S.HANDLING, Tier.GRID, 1, None)
    assert case.deadlines.filter(kind="resolve", cancelled_at__isnull=True, met_at__isnull=True).count() == 1


def test_an_unsatisfied_rating_reopens_at_the_next_tier_where_the_category_says(world):
    Category.objects.filter(code="sanitation").update(reopen_to=ReopenTo.NEXT)
    case = services.case_rate(
        actor=None, case=_in_state(world, S.RESOLVED), rating="unsatisfied", by_reporter=True
    )
    assert (case.state, case.tier) == (S.HANDLING, Tier.COMMUNITY)
    assert case.events.order_by("-pk").first().action == "reopen"


def test_reopening_to_the_next_tier_from_the_town_stays_at_the_town(world):
    Category.objects.filter(code="illegal_construction").update(reopen_to=ReopenTo.NEXT)
    case = services.case_resolve(
        actor=world.town_officer, case=_submit(world, code="illegal_construction"), note="已拆除"
    )
    case = services.case_rate(actor=None, case=case, rating="unsatisfied", by_reporter=True)
    assert (case.state, case.tier) == (S.HANDLING, Tier.TOWN)


def test_a_reporter_can_rate_only_a_resolved_case(world):
    case = _submit(world)
    with pytest.raises(ApplicationError) as refused:
        services.case_rate(actor=None, case=case, rating="satisfied", by_reporter=True)
    assert refused.value.code == "invalid_transition"


# --- On the spot ------------------------------------------------------------------------------------


def test_resolving_straight_from_received_counts_as_on_the_spot(world):
    case = services.case_resolve(actor=world.grid_chief_a, case=_submit(world), note="当场清理")
    assert case.on_the_spot and case.responded_at == case.resolved_at
    assert case.deadlines.filter(met_at__isnull=False).count() == 2


def test_resolving_after_accepting_is_not_on_the_spot_unless_said(world):
    accepted = services.case_respond(actor=world.grid_chief_a, case=_submit(world))
    assert not services.case_resolve(actor=world.grid_chief_a, case=accepted, note="已清理").on_the_spot
    said = services.case_respond(actor=world.grid_chief_a, case=_submit(world))
    assert services.case_resolve(
        actor=world.grid_chief_a, case=said, note="现场", on_the_spot=True
    ).on_the_spot


# --- Extensions -------------------------------------------------------------------------------------

BEIJING = dt.timezone(dt.timedelta(hours=8))
MONDAY_10 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=BEIJING)  # after the personas' roles begin


def _resolve_deadline(case):
    return case.deadlines.get(kind="resolve", cancelled_at__isnull=True)


def test_more_time_approved_by_the_tier_above_moves_the_resolve_limit_by_working_days(world):
    with clock.frozen(MONDAY_10):
        case = _submit(world)  # sanitation: 5 working days → Monday 8 March, end of day
        due = _resolve_deadline(case).due_at
        assert due.astimezone(BEIJING).date() == dt.date(2027, 3, 8)
        ext = services.case_extension_request(actor=world.grid_chief_a, case=case, days=3, note="等材料")
        services.case_extension_decide(actor=world.secretary, extension=ext, approve=True, note="同意")
    moved = _resolve_deadline(case).due_at.astimezone(BEIJING)
    assert (moved.date(), moved.time()) == (dt.date(2027, 3, 11), dt.time(23, 59, 59))
    assert Extension.objects.get(pk=ext.pk).status == "approved"


def test_more_time_refused_leaves_the_limit_where_it_was(world):
    case = _submit(world)
    due = _resolve_deadline(case).due_at
    ext = services.case_extension_request(actor=world.grid_chief_a, case=case, days=3, note="等材料")
    services.case_extension_decide(actor=world.secretary, extension=ext, approve=False, note="抓紧办")
    assert _resolve_deadline(case).due_at == due
    assert Extension.objects.get(pk=ext.pk).status == "refused"


def test_only_the_tier_above_may_grant_more_time(world):
    case = _submit(world)
    ext = services.case_extension_request(actor=world.grid_worker_a, case=case, days=3, note="等材料")
    due = _resolve_deadline(case).due_at
    with pytest.raises(PermissionDenied):  # same tier: the grid chief of the case's grid
        services.case_extension_decide(actor=world.grid_chief_a, extension=ext, approve=True)
    with pytest.raises(Http404):
        services.case_extension_decide(actor=world.grid_chief_b, extension=ext, approve=True)
    assert Extension.objects.get(pk=ext.pk).status == "pending" and _resolve_deadline(case).due_at == due


def test_whoever_asked_for_more_time_cannot_grant_it(world):
    case = services.case_escalate(actor=world.grid_chief_a, case=_submit(world), note="上报")
    case = services.case_return(actor=world.secretary, case=case, note="网格办")
    ext = services.case_extension_request(actor=world.secretary, case=case, days=2, note="等材料")
    with pytest.raises(PermissionDenied):
        services.case_extension_decide(actor=world.secretary, extension=ext, approve=True)
    assert Extension.objects.get(pk=ext.pk).status == "pending"


def test_a_community_tier_extension_is_the_towns_to_grant(world):
    case = _submit(world, code="water")
    ext = services.case_extension_request(actor=world.secretary, case=case, days=2, note="等配件")
    committee = make_user("committee_member", Role.TWO_COMMITTEES, world.c1)
    with pytest.raises(PermissionDenied):  # the community sees the case but does not sit above it
        services.case_extension_decide(actor=committee, extension=ext, approve=True)
    services.case_extension_decide(actor=world.town_officer, extension=ext, approve=True)
    assert Extension.objects.get(pk=ext.pk).status == "approved"


def test_a_second_request_while_one_waits_is_refused(world):
    case = _submit(world)
    services.case_extension_request(actor=world.grid_chief_a, case=case, days=3, note="等材料")
    with pytest.raises(ApplicationError) as refused:
        services.case_extension_request(actor=world.grid_chief_a, case=case, days=5, note="再等等")
    assert refused.value.code == "invalid_transition"
    assert Extension.objects.filter(deadline__case=case).count() == 1


def test_a_decided_request_cannot_be_decided_again(world):
    case = _submit(world)
    ext = services.case_extension_request(actor=world.grid_chief_a, case=case, days=3, note="等材料")
    services.case_extension_decide(actor=world.secretary, extension=ext, approve=False)
    with pytest.raises(ApplicationError) as refused:
        services.case_extension_decide(actor=world.secretary, extension=ext, approve=True)
    assert refused.value.code == "invalid_transition"
    assert Extension.objects.get(pk=ext.pk).status == "refused"


def test_a_request_for_more_time_lapses_when_its_limit_ends_first(world):
    moved = _submit(world)
    asked = services.case_extension_request(actor=world.grid_chief_a, case=moved, days=3, note="等材料")
    services.case_escalate(actor=world.grid_chief_a, case=moved, note="上报社区")  # the limit closes
    assert Extension.objects.get(pk=asked.pk).status == "lapsed"
    with pytest.raises(ApplicationError):  # nothing is left to decide, above the new tier either
        services.case_extension_decide(actor=world.town_officer, extension=asked, approve=True)

    met = _submit(world)
    asked = services.case_extension_request(actor=world.grid_chief_a, case=met, days=3, note="等材料")
    services.case_resolve(actor=world.grid_chief_a, case=met, note="已处理")
    assert Extension.objects.get(pk=asked.pk).status == "lapsed"


def test_the_documented_workflow_names_every_action_and_permission():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[3] / "docs" / "cases.md").read_text()
    for name, action in workflow.ACTIONS.items():
        assert f"`{name}`" in doc, name
        assert f"`{action.permission}`" in doc, action.permission
