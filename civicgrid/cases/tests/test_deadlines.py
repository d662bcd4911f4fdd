"""Time limits with a moved clock: due times, the working-day calendar, warnings and the sweep.

The clock is frozen in 2027, after the personas' role assignments begin (they start at the real now).
"""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.audit.models import AuditEvent
from civicgrid.cases import deadlines, limits, selectors, services
from civicgrid.cases.models import CaseAssignment, CaseEvent, Category, Deadline, Tier, Urgency
from civicgrid.core import clock, registry
from civicgrid.core.models import CalendarDay

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))
MONDAY_10 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=BEIJING)
FRIDAY_10 = dt.datetime(2027, 3, 5, 10, 0, tzinfo=BEIJING)


def end_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=BEIJING)


def _submit(world, code="public_order", at=MONDAY_10, **kw):
    data = {
        "actor": world.secretary,
        "channel": "walk_in",
        "category": Category.objects.get(code=code),
        "title": "事项",
        "description": "需要处理的事项",
        "house": world.households["a"].house,
    }
    with clock.frozen(at):
        return services.case_submit(**{**data, **kw})


def _due(case, kind: str) -> dt.datetime:
    return case.deadlines.get(kind=kind, cancelled_at__isnull=True, breached_at__isnull=True).due_at


def _sweep(at: dt.datetime) -> dict:
    with clock.frozen(at):
        return deadlines.sweep()


# --- Due times --------------------------------------------------------------------------------------


def test_the_default_table_is_beijings_1_2_24_hours():
    assert {u: v["respond_hours"] for u, v in limits.DEFAULT_LIMITS.items()} == {
        Urgency.EMERGENCY: 1,
        Urgency.URGENT: 2,
        Urgency.NORMAL: 24,
    }


@pytest.mark.parametrize(
    ("urgency", "respond", "resolve_day"),
    [
        ("emergency", dt.timedelta(hours=1), dt.date(2027, 3, 2)),  # 1 working day
        ("urgent", dt.timedelta(hours=2), dt.date(2027, 3, 4)),  # 3 working days
        ("normal", dt.timedelta(hours=24), dt.date(2027, 3, 22)),  # 15 working days: three weeks
    ],
)
def test_due_times_follow_the_default_table_by_urgency(world, urgency, respond, resolve_day):
    case = _submit(world, urgency=urgency)
    assert _due(case, "respond") == MONDAY_10 + respond
    assert _due(case, "resolve") == end_of(resolve_day)


def test_a_category_overrides_the_defaults(world):
    water = _submit(world, code="water")  # urgent by default; resolve in 2 working days
    assert water.urgency == Urgency.URGENT
    assert _due(water, "respond") == MONDAY_10 + dt.timedelta(hours=2)
    assert _due(water, "resolve") == end_of(dt.date(2027, 3, 3))
    sanitation = _submit(world, code="sanitation")  # normal, resolve in 5 working days
    assert _due(sanitation, "resolve") == end_of(dt.date(2027, 3, 8))


def test_a_category_edited_by_the_town_changes_only_what_it_names(world):
    Category.objects.filter(code="public_order").update(limits={"normal": {"respond_hours": 4}})
    case = _submit(world)
    assert _due(case, "respond") == MONDAY_10 + dt.timedelta(hours=4)
    assert _due(case, "resolve") == end_of(dt.date(2027, 3, 22))  # the default 15 working days


# --- The working-day calendar -----------------------------------------------------------------------


def test_the_weekend_is_skipped(world):
    case = _submit(world, urgency="emergency", at=FRIDAY_10)
    assert _due(case, "resolve") == end_of(dt.date(2027, 3, 8))  # Monday


def test_a_public_holiday_is_skipped(world):
    CalendarDay.objects.create(date=dt.date(2027, 3, 8), kind="holiday", name="测试假日")
    case = _submit(world, urgency="emergency", at=FRIDAY_10)
    assert _due(case, "resolve") == end_of(dt.date(2027, 3, 9))  # Tuesday


def test_a_make_up_working_saturday_counts(world):
    CalendarDay.objects.create(date=dt.date(2027, 3, 6), kind="workday", name="调休上班")
    case = _submit(world, urgency="emergency", at=FRIDAY_10)
    assert _due(case, "resolve") == end_of(dt.date(2027, 3, 6))  # that Saturday


def test_a_holiday_week_is_skipped_whole(world):
    for day in range(1, 8):
        CalendarDay.objects.create(date=dt.date(2027, 3, day), kind="holiday", name="长假")
    case = _submit(world, urgency="urgent", at=MONDAY_10)  # 3 working days, none this week
    assert _due(case, "resolve") == end_of(dt.date(2027, 3, 10))


# --- Warnings ---------------------------------------------------------------------------------------


@pytest.fixture
def published(monkeypatch):
    seen = []
    original = registry.publish

    def record(event, **payload):
        seen.append((event, payload))
        original(event, **payload)

    monkeypatch.setattr(registry, "publish", record)
    return seen


def test_a_warning_fires_once_when_the_warning_time_comes(world, published):
    case = _submit(world)
    respond = case.deadlines.get(kind="respond")
    assert respond.warn_at == respond.due_at - dt.timedelta(hours=24) * limits.WARN_SHARE
    assert _sweep(respond.warn_at - dt.timedelta(seconds=1))["warned"] == 0
    assert _sweep(respond.warn_at)["warned"] == 1
    assert _sweep(respond.warn_at + dt.timedelta(minutes=30))["warned"] == 0
    due_soon = [p for e, p in published if e == "case.due_soon"]
    assert [p["deadline"].pk for p in due_soon] == [respond.pk]
    respond.refresh_from_db()
    assert respond.warned_at == respond.warn_at


def test_a_short_limit_warns_at_least_half_an_hour_ahead(world):
    case = _submit(world, urgency="emergency")
    respond = case.deadlines.get(kind="respond")
    assert respond.due_at - respond.warn_at == limits.MIN_WARNING


def test_an_approved_extension_warns_again_before_the_new_limit(world):
    case = _submit(world, code="sanitation")
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=1)):
        services.case_respond(actor=world.grid_chief_a, case=case)
    resolve = case.deadlines.get(kind="resolve")
    with clock.frozen(resolve.warn_at + dt.timedelta(minutes=1)):
        assert deadlines.sweep()["warned"] == 1
        ext = services.case_extension_request(actor=world.secretary, case=case, days=2, note="等")
        services.case_extension_decide(actor=world.town_officer, extension=ext, approve=True)
    resolve.refresh_from_db()
    assert resolve.warned_at is None and resolve.due_at == end_of(dt.date(2027, 3, 10))
    assert _sweep(resolve.warn_at)["warned"] == 1


# --- Escalation by the sweep ------------------------------------------------------------------------


def test_an_overdue_deadline_escalates_once_and_the_next_round_once_more(world):
    case = _submit(world, code="sanitation", actor=world.grid_worker_a)  # grid tier
    first_due = _due(case, "respond")
    assert _sweep(first_due - dt.timedelta(seconds=1))["escalated"] == 0
    assert _sweep(first_due)["escalated"] == 1
    assert _sweep(first_due + dt.timedelta(minutes=5))["escalated"] == 0
    case.refresh_from_db()
    assert case.tier == Tier.COMMUNITY
    second_due = _due(case, "respond")
    assert second_due == first_due + dt.timedelta(hours=24)
    assert _sweep(second_due)["escalated"] == 1
    case.refresh_from_db()
    assert case.tier == Tier.TOWN
    escalations = case.events.filter(action="escalate")
    assert escalations.count() == 2 and all(e.data["automatic"] for e in escalations)
    assert Deadline.objects.filter(case=case, breached_at__isnull=False).count() == 2


def test_an_automatic_escalation_says_why_in_the_readers_language_and_time(world):
    """The sweep runs in no one's language: the note is worded when read, with the limit in local time."""
    from django.utils import translation

    case = _submit(world, code="sanitation", actor=world.grid_worker_a)
    due = _due(case, "respond")
    _sweep(due)
    event = case.events.get(action="escalate")
    assert event.note == ""  # facts, not words, are stored
    # Its audit entry names what moved (the tier), not the state it kept.
    audited = AuditEvent.objects.get(action="case.escalate", object_id=str(case.pk))
    assert audited.summary == {"tier": ["grid", "community"]}
    local = due.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
    with translation.override("en"):
        assert event.shown_note == f"Time limit passed (respond, due {local})."
    with translation.override("zh-hans"):
        assert event.shown_note == f"已超期（响应时限，截止 {local}）。"
    person = services.case_escalate(actor=world.secretary, case=case, note="社区协调不了")
    assert person.events.filter(action="escalate").order_by("id").last().shown_note == "社区协调不了"


def test_two_overdue_deadlines_of_one_case_move_it_up_only_once(world):
    case = _submit(world, code="sanitation", actor=world.grid_worker_a)
    long_after = _due(case, "resolve") + dt.timedelta(days=1)
    assert _sweep(long_after)["escalated"] == 1
    case.refresh_from_db()
    assert case.tier == Tier.COMMUNITY and case.events.filter(action="escalate").count() == 1


def test_a_met_deadline_never_fires(world):
    case = _submit(world, code="sanitation", actor=world.grid_worker_a)
    due = _due(case, "respond")
    with clock.frozen(MONDAY_10 + dt.timedelta(hours=1)):
        services.case_respond(actor=world.grid_chief_a, case=case)
    assert _sweep(due + dt.timedelta(hours=1)) == {"warned": 0, "escalated": 0}
    case.refresh_from_db()
    assert case.tier == Tier.GRID and not case.events.filter(action="escalate").exists()


def test_a_resolved_case_never_fires(world):
    case = _submit(world, code="sanitation", actor=world.grid_worker_a)
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=5)):
        services.case_resolve(actor=world.grid_chief_a, case=case, note="已清理")
    assert _sweep(MONDAY_10 + dt.timedelta(days=60)) == {"warned": 0, "escalated": 0}


def test_a_cancelled_deadline_never_fires(world):
    case = _submit(world, code="sanitation", actor=world.grid_worker_a)
    first_due = _due(case, "respond")
    with clock.frozen(MONDAY_10 + dt.timedelta(hours=1)):
        services.case_escalate(actor=world.grid_chief_a, case=case, note="上报")  # cancels round 1
    assert _sweep(first_due + dt.timedelta(minutes=1))["escalated"] == 0
    case.refresh_from_db()
    assert case.tier == Tier.COMMUNITY
    assert case.deadlines.get(round=1, kind="respond").cancelled_at is not None


def test_a_merged_case_never_fires(world):
    target = _submit(world, code="sanitation", actor=world.grid_worker_a)
    duplicate = _submit(world, code="sanitation", actor=world.grid_worker_a)
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=5)):
        services.case_merge(actor=world.grid_chief_a, case=duplicate, into=target, note="重复")
        services.case_respond(actor=world.grid_chief_a, case=target)
    assert _sweep(MONDAY_10 + dt.timedelta(hours=25))["escalated"] == 0


def test_at_the_town_an_overdue_case_goes_to_the_department_serving_its_category(world):
    case = _submit(world, code="water")  # community tier
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=10)):
        case = services.case_escalate(actor=world.secretary, case=case, note="社区协调不了")
    assert case.tier == Tier.TOWN
    assert _sweep(_due(case, "respond"))["escalated"] == 1
    case.refresh_from_db()
    assert (case.tier, case.dispatched) == (Tier.DEPARTMENT, True)
    assignment = CaseAssignment.objects.get(case=case, active=True)
    assert (assignment.department, assignment.lead) == (world.department, True)
    event = case.events.get(action="dispatch")
    assert event.actor is None and event.data["automatic"] is True


def test_at_the_town_with_no_department_for_the_category_the_case_stays_marked_overdue(world):
    case = _submit(world, code="illegal_construction")  # town tier; no department handles it
    due = _due(case, "respond")
    assert _sweep(due)["escalated"] == 1
    case.refresh_from_db()
    assert case.tier == Tier.TOWN and not case.dispatched
    overdue = CaseEvent.objects.get(case=case, action="overdue")
    assert overdue.public is False
    assert _sweep(due + dt.timedelta(hours=1))["escalated"] == 0
    assert CaseEvent.objects.filter(case=case, action="overdue").count() == 1


def test_at_a_department_an_overdue_case_stays_and_is_marked(world):
    case = _submit(world, code="water")
    with clock.frozen(MONDAY_10 + dt.timedelta(minutes=10)):
        case = services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    assert _sweep(_due(case, "respond"))["escalated"] == 1
    case.refresh_from_db()
    assert case.tier == Tier.DEPARTMENT and case.events.filter(action="overdue").count() == 1


def test_a_holiday_entered_in_the_admin_moves_the_next_due_date_and_is_audited(client, world):
    from civicgrid.accounts.models import User
    from civicgrid.audit.models import AuditEvent

    admin = User.objects.create_superuser("calendar_admin", password="calendar-admin-pass-1")
    client.force_login(admin)
    response = client.post(
        "/admin/core/calendarday/add/", {"date": "2027-03-08", "kind": "holiday", "name": "测试假日"}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    assert AuditEvent.objects.filter(action="admin.add", actor=admin).exists()
    case = _submit(world, urgency="emergency", at=FRIDAY_10)
    assert _due(case, "resolve") == end_of(dt.date(2027, 3, 9))


def _overdue_for(user) -> set[int]:
    listed = selectors.case_list_for(user, selectors.CaseFilters(state="overdue"), size=100).rows
    queued = {c.pk for c in selectors.case_queue_for(user) if c.overdue}
    return {c.pk for c in listed} | queued


def test_a_case_moved_up_by_the_sweep_is_judged_by_its_new_limits_not_overdue_at_once(world):
    moved = _submit(world, code="sanitation", actor=world.grid_worker_a)
    stuck = _submit(world, code="illegal_construction")  # town tier, no department to go to
    due = _due(moved, "respond")
    with clock.frozen(due + dt.timedelta(minutes=1)):
        assert deadlines.sweep()["escalated"] == 2
        assert _overdue_for(world.town_officer) == {stuck.pk}
        queue = {c.pk: c for c in selectors.case_queue_for(world.secretary)}
        assert queue[moved.pk].due_at == due + dt.timedelta(hours=24, minutes=1)
    with clock.frozen(due + dt.timedelta(hours=25)):
        assert _overdue_for(world.town_officer) == {stuck.pk, moved.pk}
