"""Who is told what when a case moves, and how it is sent: after commit, never at the case's expense."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import translation

from civicgrid.cases import deadlines, services
from civicgrid.cases.models import Case, Category, State
from civicgrid.core import clock
from civicgrid.notify import channels
from civicgrid.notify import services as notify_services
from civicgrid.notify.models import Kind, Notification, Target
from civicgrid.notify.tests.doubles import RecordingSms

pytestmark = pytest.mark.django_db

RECORDING_SMS = "civicgrid.notify.tests.doubles.RecordingSms"
BROKEN = "civicgrid.notify.tests.doubles.BrokenChannel"
CONSOLE = "civicgrid.notify.channels.ConsoleChannel"
EMAIL = "civicgrid.notify.channels.EmailChannel"


def _submit(world, code="sanitation", **kw):
    defaults = {
        "actor": world.grid_worker_a,
        "channel": "walk_in",
        "category": Category.objects.get(code=code),
        "title": "",
        "description": "楼道堆满垃圾",
        "house": world.households["a"].house,
    }
    return services.case_submit(**{**defaults, **kw})


def _told(case, kind=None) -> set[str]:
    qs = Notification.objects.filter(case=case, target=Target.USER)
    if kind:
        qs = qs.filter(kind=kind)
    return {n.recipient.username for n in qs.select_related("recipient")}


def test_a_new_case_tells_the_handlers_of_its_grid_but_not_the_worker_who_took_it_in(world):
    case = _submit(world)
    assert _told(case, Kind.ASSIGNED) == {"grid_chief_a"}


def test_an_escalation_tells_the_community_secretary(world):
    case = _submit(world)
    services.case_escalate(actor=world.grid_chief_a, case=case, note="需要社区协调")
    assert _told(case, Kind.ASSIGNED) >= {"secretary"}
    assert "grid_chief_b" not in _told(case)
    note = Notification.objects.get(case=case, recipient=world.secretary)
    assert note.text_code == "assigned.tier" and note.params["tier"] == "community"


def test_a_dispatch_tells_the_department_handler(world):
    case = _submit(world, code="water")  # starts at the community tier
    services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    handler_note = Notification.objects.get(case=case, recipient=world.handler)
    assert handler_note.kind == Kind.ASSIGNED
    with translation.override("en"):
        assert "县水务局" in handler_note.text and case.code in handler_note.text


def test_the_sweeps_overdue_escalation_is_told_as_overdue(world):
    case = _submit(world)
    due = case.deadlines.get(kind="respond").due_at
    with clock.frozen(due + dt.timedelta(minutes=1)):
        deadlines.sweep()
    case.refresh_from_db()
    assert case.tier == "community"
    overdue = Notification.objects.filter(case=case, kind=Kind.OVERDUE)
    assert {n.recipient.username for n in overdue} == {"secretary"}
    with translation.override("en"):
        assert "passed its time limit at the grid tier" in overdue.get().text


def test_a_warning_before_the_deadline_tells_the_handlers_at_the_tier(world):
    case = _submit(world)
    warn = case.deadlines.get(kind="respond").warn_at
    with clock.frozen(warn + dt.timedelta(seconds=1)):
        deadlines.sweep()
    assert _told(case, Kind.DUE_SOON) == {"grid_chief_a", "grid_worker_a"}


def test_asking_for_more_time_tells_those_who_decide_at_the_tier_above(world):
    case = _submit(world)
    services.case_respond(actor=world.grid_chief_a, case=case)
    services.case_extension_request(actor=world.grid_chief_a, case=case, days=3, note="等材料")
    assert _told(case, Kind.EXTENSION_REQUESTED) == {"secretary"}


def test_a_follower_with_an_account_is_asked_to_rate_when_the_case_is_resolved(world):
    case = _submit(world, reporter_user=world.clerk)
    services.case_resolve(actor=world.grid_chief_a, case=case, note="已清理")
    note = Notification.objects.get(case=case, recipient=world.clerk)
    assert note.kind == Kind.RESOLVED_PLEASE_RATE


def test_the_text_is_rendered_in_the_readers_language_at_read_time(world):
    case = _submit(world)
    note = Notification.objects.get(case=case, recipient=world.grid_chief_a)
    with translation.override("en"):
        english = note.text
    with translation.override("zh-hans"):
        chinese = note.text
    assert "Sanitation" in english and "grid" in english
    assert "环境卫生" in chinese and english != chinese


def test_outbound_channels_send_only_after_the_case_commits(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CIVICGRID_NOTIFY_CHANNELS = [EMAIL]
    world.grid_chief_a.email = "chief@example.org"
    world.grid_chief_a.save()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = _submit(world)
    assert mail.outbox == [] and len(callbacks) == 1  # nothing left before the commit
    callbacks[0]()
    assert [m.to for m in mail.outbox] == [["chief@example.org"]]
    assert case.code in mail.outbox[0].subject
    assert Notification.objects.get(case=case).delivery == {"email": True}


def test_with_the_database_queue_delivery_is_queued_in_the_cases_own_transaction(
    world, settings, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.CIVICGRID_NOTIFY_CHANNELS = [CONSOLE]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case = _submit(world)
    told = sorted(Notification.objects.filter(case=case).values_list("pk", flat=True))
    queued = DBTaskResult.objects.get()  # queued before the commit, so part of it
    assert queued.status == "READY" and sorted(queued.args_kwargs["args"][0]) == told and told
    assert not [c for c in callbacks if getattr(c, "func", None) is notify_services._enqueue]

    with pytest.raises(RuntimeError), transaction.atomic():
        _submit(world)
        raise RuntimeError("the intake fails after the notifications were made")
    assert DBTaskResult.objects.count() == 1  # the rolled-back case left no task behind


def test_a_failing_channel_does_not_roll_back_the_case(
    world, settings, django_capture_on_commit_callbacks, caplog
):
    settings.CIVICGRID_NOTIFY_CHANNELS = [BROKEN, CONSOLE]
    case = _submit(world, code="water")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    case.refresh_from_db()
    assert case.tier == "department" and case.dispatched
    note = Notification.objects.get(case=case, recipient=world.handler)
    assert note.delivery == {"broken": False, "console": True}  # the others still went out
    assert "channel broken failed" in caplog.text


def test_a_reporter_without_an_account_gets_an_sms_when_enabled(
    world, settings, django_capture_on_commit_callbacks
):
    settings.CIVICGRID_NOTIFY_CHANNELS = [RECORDING_SMS]
    settings.CIVICGRID_NOTIFY_REPORTERS = True
    RecordingSms.sent.clear()
    case = _submit(world, reporter_name="王先生", reporter_phone="13912345678")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_resolve(actor=world.grid_chief_a, case=case, note="已清理")
    assert [phone for phone, _ in RecordingSms.sent] == ["13912345678"]
    assert case.code in RecordingSms.sent[0][1]
    assert Notification.objects.get(case=case, target=Target.REPORTER).kind == Kind.RESOLVED_PLEASE_RATE


def test_an_anonymous_reporter_is_never_texted(world, settings, django_capture_on_commit_callbacks):
    settings.CIVICGRID_NOTIFY_CHANNELS = [RECORDING_SMS]
    settings.CIVICGRID_NOTIFY_REPORTERS = True
    RecordingSms.sent.clear()
    case = _submit(world, channel="suggestion_box", anonymous=True, reporter_phone="13912345678")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_resolve(actor=world.grid_chief_a, case=case, note="已清理")
    assert RecordingSms.sent == []
    assert not Notification.objects.filter(case=case, target=Target.REPORTER).exists()


def test_reporters_are_not_texted_unless_the_deployment_turns_it_on(world, settings):
    settings.CIVICGRID_NOTIFY_REPORTERS = False
    case = _submit(world, reporter_phone="13912345678")
    services.case_resolve(actor=world.grid_chief_a, case=case, note="已清理")
    assert not Notification.objects.filter(case=case, target=Target.REPORTER).exists()


def test_a_rolled_back_action_leaves_no_notification(world):
    case = _submit(world)
    before = Notification.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - any refusal: the grid chief B does not act in grid A
        services.case_escalate(actor=world.grid_chief_b, case=case, note="x")
    assert Notification.objects.count() == before
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED


@pytest.mark.parametrize(
    "path",
    [
        "civicgrid.notify.nowhere.Channel",
        "civicgrid.notify.channels.SmsChannel",
        "civicgrid.cases.models.Case",
    ],
)
def test_a_misconfigured_channel_is_refused_with_its_name(path):
    with pytest.raises(ImproperlyConfigured, match="CIVICGRID_NOTIFY_CHANNELS"):
        channels.load(path)
