"""Deadlines in the database, and the sweep that acts on them exactly once.

A deadline is claimed by a conditional UPDATE (`breached_at IS NULL` → now) inside the same
transaction as the escalation it causes, after locking the case. Two sweeps racing on PostgreSQL: the
second waits for the first's lock, then its UPDATE matches no row. On SQLite, write transactions are
serialised (BEGIN IMMEDIATE). A worker killed mid-way rolls its transaction back, claim included, so
the next sweep does the work.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction

from civicgrid.cases import limits
from civicgrid.cases.models import Case, Deadline, DeadlineKind, Extension, ExtensionStatus, State
from civicgrid.core import clock, registry

log = logging.getLogger(__name__)
BATCH = 200


def open_round(
    case: Case, *, start=None, kinds=(DeadlineKind.RESPOND, DeadlineKind.RESOLVE), first: bool = False
) -> list[Deadline]:
    """Close the case's open deadlines and open a new round for its current tier.

    `first`: the case was made in this transaction, so it has no deadline yet to close or count.
    """
    now = start or clock.now()
    last = 0
    if not first:
        cancel_open(case, at=now)
        last = case.deadlines.order_by("-round").values_list("round", flat=True).first() or 0
    made = []
    for kind in kinds:
        # Only a case nobody has accepted yet waits for a response: once accepted, a case that moves
        # tier keeps being handled, and a respond limit nobody could meet would escalate it again.
        if kind == DeadlineKind.RESPOND and case.state != State.RECEIVED:
            continue
        due = (limits.respond_due if kind == DeadlineKind.RESPOND else limits.resolve_due)(
            now, case.category, case.urgency
        )
        made.append(
            Deadline(
                case=case,
                kind=kind,
                round=last + 1,
                tier=case.tier,
                # In UTC, as the database gives them back: the rows in hand answer the submission.
                due_at=due.astimezone(dt.UTC),
                warn_at=limits.warn_at(now, due).astimezone(dt.UTC),
            )
        )
    return Deadline.objects.bulk_create(made)


_OPEN = {"met_at__isnull": True, "breached_at__isnull": True, "cancelled_at__isnull": True}


def _lapse_asks(case: Case, **deadline_filter) -> None:
    """A request for more time on a limit that ends now (met, or closed as the case moved) lapses:
    left pending, it would wait for a decision that could change nothing."""
    Extension.objects.filter(
        status=ExtensionStatus.PENDING,
        deadline__case=case,
        **{f"deadline__{name}": value for name, value in {**_OPEN, **deadline_filter}.items()},
    ).update(status=ExtensionStatus.LAPSED)


def cancel_open(case: Case, *, at=None) -> int:
    _lapse_asks(case)
    return Deadline.objects.filter(case=case, **_OPEN).update(cancelled_at=at or clock.now())


def meet(case: Case, kind: str, *, at=None) -> int:
    _lapse_asks(case, kind=kind)
    return Deadline.objects.filter(case=case, kind=kind, **_OPEN).update(met_at=at or clock.now())


def _claim(deadline_id: int, field: str, now) -> bool:
    conditions = {
        "met_at__isnull": True,
        "breached_at__isnull": True,
        "cancelled_at__isnull": True,
        f"{field}__isnull": True,
    }
    return Deadline.objects.filter(pk=deadline_id, **conditions).update(**{field: now}) == 1


def sweep(*, now=None, batch: int = BATCH) -> dict:
    """Warn about deadlines close to due, and escalate the ones past due. Idempotent; safe to race."""
    from civicgrid.cases import services  # the transition services; imported here to avoid a cycle

    now = now or clock.now()
    counts = {"warned": 0, "escalated": 0}
    due_soon = Deadline.objects.filter(
        warned_at__isnull=True,
        met_at__isnull=True,
        breached_at__isnull=True,
        cancelled_at__isnull=True,
        warn_at__lte=now,
        due_at__gt=now,
    )
    for deadline_id in list(due_soon.order_by("warn_at").values_list("pk", flat=True)[:batch]):
        with transaction.atomic():
            if _claim(deadline_id, "warned_at", now):
                deadline = Deadline.objects.select_related("case").get(pk=deadline_id)
                registry.publish("case.due_soon", case=deadline.case, deadline=deadline)
                counts["warned"] += 1
    overdue = Deadline.objects.filter(
        met_at__isnull=True, breached_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now
    )
    for deadline_id, case_id in list(overdue.order_by("due_at").values_list("pk", "case_id")[:batch]):
        try:
            with transaction.atomic():
                # The case first, then its deadline: the order every workflow action takes its locks
                # in, so a sweep and a person acting on the same case queue instead of deadlocking.
                list(Case.objects.select_for_update().filter(pk=case_id).values_list("pk"))
                if not _claim(deadline_id, "breached_at", now):
                    continue  # another sweep got there first
                deadline = Deadline.objects.select_related("case", "case__category").get(pk=deadline_id)
                services.case_overdue(case=deadline.case, deadline=deadline)
                counts["escalated"] += 1
        except Exception:  # one bad case must not stop the sweep; it is retried on the next pass
            log.exception("sweep: deadline %s could not be processed", deadline_id)
    return counts
