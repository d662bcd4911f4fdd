"""Writes of notifications: made from case events inside the case's transaction, sent after commit.

The rows are written in the same transaction as the case change, so a rolled-back action leaves no
notification behind; the outbound channels run only once it has committed, in a background task
(queued in that transaction when the task queue is a table of the database, after it otherwise),
and a channel that fails is logged and never reaches back into the case.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import transaction

from civicgrid.cases.models import Case, State
from civicgrid.core import clock, registry
from civicgrid.notify import selectors
from civicgrid.notify.channels import configured
from civicgrid.notify.models import Kind, Notification, Target

log = logging.getLogger("civicgrid.notify")

AUTOMATIC_MOVES = ("escalate", "dispatch")


def _notify(
    case: Case, kind: str, text_code: str, user_ids: set[int], *, actor=None, params: dict | None = None
) -> list[Notification]:
    skip = {getattr(actor, "pk", None), None}
    rows = [
        Notification(recipient_id=uid, kind=kind, case=case, text_code=text_code, params=params or {})
        for uid in sorted(user_ids - skip)
    ]
    made = Notification.objects.bulk_create(rows)
    _send_after_commit([n.pk for n in made])
    return made


def _notify_reporters(case: Case, kind: str, text_code: str, params: dict) -> list[Notification]:
    """Reporters without accounts, by SMS only, when the deployment turns it on."""
    if not settings.CIVICGRID_NOTIFY_REPORTERS or case.anonymous:
        return []
    rows = [
        Notification(
            target=Target.REPORTER, follower=f, kind=kind, case=case, text_code=text_code, params=params
        )
        for f in selectors.followers(case)
        if f.user_id is None and f.resident_id and f.resident.phone
    ]
    if case.reporter_resident_id is None and case.reporter_user_id is None and case.reporter_phone:
        rows.append(
            Notification(target=Target.REPORTER, kind=kind, case=case, text_code=text_code, params=params)
        )
    made = Notification.objects.bulk_create(rows)
    _send_after_commit([n.pk for n in made])
    return made


def _send_after_commit(ids: list[int]) -> None:
    if not ids or not settings.CIVICGRID_NOTIFY_CHANNELS:
        return
    if _queue_in_database():
        # The queue is a table of the same database: its row commits or rolls back with the
        # notifications (no task for rows that never were), in the case's own commit. Queued after
        # commit it took a second commit of its own on every intake.
        from civicgrid.notify.tasks import notification_deliver_task

        notification_deliver_task.enqueue(ids)
    else:
        transaction.on_commit(partial(_enqueue, ids))


def _queue_in_database() -> bool:
    return settings.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"


def _enqueue(ids: list[int]) -> None:
    from civicgrid.notify.tasks import notification_deliver_task

    try:
        notification_deliver_task.enqueue(ids)
    except Exception:  # the case has committed; a lost send is logged, never raised into the request
        log.exception("notify: could not queue notifications %s", ids)


def _department_names(case: Case) -> str:
    return "、".join(
        a.department.name for a in case.assignments.filter(active=True).select_related("department")
    )


def on_case_changed(*, case: Case, action: str, before: dict | None, actor) -> None:
    """Subscribed to `case.changed`: tell whoever must act now, and the followers of a new state."""
    params = {"code": case.code, "tier": case.tier}
    automatic = actor is None and action in AUTOMATIC_MOVES and before is not None
    if automatic:
        params["from_tier"] = before["tier"]
    if action == "submit":
        _notify(case, Kind.ASSIGNED, "assigned.tier", selectors.handler_ids(case), actor=actor, params=params)
    elif action == "escalate":
        kind, code = (Kind.OVERDUE, "overdue.escalated") if automatic else (Kind.ASSIGNED, "assigned.tier")
        _notify(case, kind, code, selectors.handler_ids(case), actor=actor, params=params)
    elif action == "return":
        _notify(
            case, Kind.ASSIGNED, "assigned.returned", selectors.handler_ids(case), actor=actor, params=params
        )
    elif action == "dispatch":
        params["department"] = _department_names(case)
        kind, code = (
            (Kind.OVERDUE, "overdue.escalated") if automatic else (Kind.ASSIGNED, "assigned.department")
        )
        _notify(case, kind, code, selectors.department_handler_ids(case), actor=actor, params=params)
    elif action == "overdue":
        who = selectors.handler_ids(case) | ({case.handler_id} if case.handler_id else set())
        _notify(case, Kind.OVERDUE, "overdue.stuck", who, params=params)
    elif action == "rate" and case.state == State.HANDLING:
        _notify(
            case, Kind.ASSIGNED, "assigned.reopened", selectors.handler_ids(case), actor=actor, params=params
        )
    if before is not None and before["state"] != case.state:
        _on_state_changed(case, actor)


def _on_state_changed(case: Case, actor) -> None:
    if case.state == State.RESOLVED:
        kind, code = Kind.RESOLVED_PLEASE_RATE, "resolved_please_rate"
    else:
        kind, code = Kind.STATUS_CHANGED, "status_changed"
    params = {"code": case.code, "state": case.state}
    users = {f.user_id for f in selectors.followers(case) if f.user_id}
    _notify(case, kind, code, users, actor=actor, params=params)
    _notify_reporters(case, kind, code, params)


def on_case_due_soon(*, case: Case, deadline) -> None:
    """Subscribed to `case.due_soon`: the handlers at the case's tier, and its own handler."""
    who = selectors.handler_ids(case) | ({case.handler_id} if case.handler_id else set())
    params = {"code": case.code, "deadline": deadline.kind, "due": deadline.due_at.isoformat()}
    _notify(case, Kind.DUE_SOON, "due_soon", who, params=params)


def on_extension_requested(*, case: Case, extension) -> None:
    """Subscribed to `case.extension_requested`: those who decide, at the tier above."""
    params = {"code": case.code, "tier": case.tier, "days": extension.days}
    _notify(
        case,
        Kind.EXTENSION_REQUESTED,
        "extension_requested",
        selectors.approver_ids(case),
        actor=extension.requested_by,
        params=params,
    )


def notify_users(*, user_ids: set[int], text_code: str, params: dict, link: str = "") -> list[Notification]:
    """A reminder from any module to staff users: in the inbox now, sent through the channels after commit.

    The text is the one a manifest declares for `text_code` (`Manifest.messages`), rendered in each
    reader's language when read; `link` is the page the reader opens from it.
    """
    if registry.message_text(text_code) is None:
        raise ValueError(f"no manifest declares the notification text {text_code!r}")
    rows = [
        Notification(recipient_id=uid, kind=Kind.REMINDER, text_code=text_code, params=params, link=link)
        for uid in sorted(set(user_ids) - {None})
    ]
    made = Notification.objects.bulk_create(rows)
    _send_after_commit([n.pk for n in made])
    return made


def notification_deliver(*, notification_ids: list[int]) -> dict[int, dict]:
    """Send each notification through every configured channel; record what each channel did."""
    results = {}
    qs = Notification.objects.filter(pk__in=notification_ids).select_related(
        "recipient", "case__category", "follower__resident"
    )
    for notification in qs:
        outcome = {}
        for channel in configured():
            try:
                outcome[channel.name] = bool(channel.send(notification))
            except Exception:  # one broken gateway must not stop the others
                log.exception("notify: channel %s failed on notification %s", channel.name, notification.pk)
                outcome[channel.name] = False
        Notification.objects.filter(pk=notification.pk).update(delivery=outcome)
        results[notification.pk] = outcome
    return results


# Marking read is the reader's own inbox state, not a governance action: it is not audited.
def notification_mark_read(*, actor, notification: Notification) -> Notification:
    if notification.recipient_id != getattr(actor, "pk", None):
        raise PermissionError("not the recipient")  # selectors only hand out the reader's own rows
    if notification.read_at is None:
        notification.read_at = clock.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
        selectors.forget_unread(actor)
    return notification


def notification_mark_all_read(*, actor) -> int:
    selectors.forget_unread(actor)
    return selectors.unread_own(actor).update(read_at=clock.now())
