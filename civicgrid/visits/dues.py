"""Who is due when: the stored `VisitDue` rows, kept by the sweep, by logging visits and by closed cases.

The sweep is idempotent and safe to race. Opening rows relies on the partial unique constraints (one
open row per household and rule, or per household and case): an insert that another sweep or a visit
already made is ignored by the database. Closing rows are conditional UPDATEs on open rows. The one
reminder per overdue row is claimed with a conditional UPDATE of `overdue_noted_at` inside the
transaction that sends it, so two sweeps never remind twice.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Subquery

from civicgrid.core import clock
from civicgrid.registry.models import Household, HouseholdStatus
from civicgrid.visits import rules
from civicgrid.visits.models import RuleTarget, Visit, VisitDue, VisitKind, VisitRule

log = logging.getLogger(__name__)
BATCH = 1000


def next_due_on(rule: VisitRule, last_visit: dt.date | None) -> dt.date:
    """Never visited: by the end of the first round, one interval after the rule's start ("every
    household once a year" gives the whole first year). Visited: the interval after the last visit.
    """
    if last_visit is None:
        return rule.starts_on + dt.timedelta(days=rule.interval_days)
    return max(rule.starts_on, last_visit) + dt.timedelta(days=rule.interval_days)


def _open_for(rule: VisitRule):
    return VisitDue.objects.filter(VisitDue.OPEN, rule=rule, case__isnull=True)


def open_missing(rule: VisitRule) -> int:
    """Open a row for every household the rule reaches that has none; returns how many were opened."""
    last = (
        Visit.objects.filter(household=OuterRef("pk"), kind__in=rules.kinds_meeting(rule.kind))
        .values("household")
        .annotate(last=Max("visited_on"))
        .values("last")
    )
    missing = (
        rules.households_reached(rule)
        .filter(~Exists(_open_for(rule).filter(household=OuterRef("pk"))))
        .annotate(last=Subquery(last))
        .values_list("pk", "territory_path", "last")
    )
    opened = 0
    rows = []
    for pk, path, last_visit in missing.iterator(chunk_size=BATCH):
        rows.append(
            VisitDue(
                household_id=pk,
                territory_path=path,
                rule=rule,
                kind=rule.kind,
                due_on=next_due_on(rule, last_visit),
            )
        )
        if len(rows) >= BATCH:
            opened += _insert(rows)
            rows = []
    return opened + _insert(rows)


def _insert(rows: list[VisitDue]) -> int:
    if not rows:
        return 0
    # A row another sweep or a visit opened meanwhile violates the one-open-row constraint: skipped.
    VisitDue.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def cancel_stale(rule: VisitRule, *, at=None) -> int:
    """Close the open rows of a rule that no longer reaches their household (or is switched off)."""
    at = at or clock.now()
    stale = _open_for(rule)
    if rule.active:
        stale = stale.exclude(household__in=rules.households_reached(rule).values("pk"))
    return stale.update(cancelled_at=at)


def open_next(visit: Visit, met: list[VisitDue]) -> None:
    """After a visit met rows, open the next round of each rule at visit date + interval."""
    for due in met:
        rule = due.rule
        if due.case_id or not rule.active:
            continue
        _insert(
            [
                VisitDue(
                    household_id=due.household_id,
                    territory_path=due.territory_path,
                    rule=rule,
                    kind=rule.kind,
                    due_on=next_due_on(rule, visit.visited_on),
                )
            ]
        )


def meet(visit: Visit) -> list[VisitDue]:
    """Meet the household's open rows of the kinds this visit covers; return the rows it met."""
    from civicgrid.visits.models import MEETS

    kinds = MEETS[VisitKind(visit.kind)]
    if not kinds:
        return []
    candidates = list(
        VisitDue.objects.filter(VisitDue.OPEN, household=visit.household, kind__in=kinds).select_related(
            "rule"
        )
    )
    now = clock.now()
    met = []
    for due in candidates:
        # Conditional: a row met by a visit racing this one is not met twice.
        if VisitDue.objects.filter(VisitDue.OPEN, pk=due.pk).update(met_at=now, met_by=visit) == 1:
            due.met_at, due.met_by = now, visit
            met.append(due)
    return met


def open_return(*, case, closed_on: dt.date) -> int:
    """A case about a known house closed: each household there is due a return visit, if a rule says so."""
    opened = 0
    for household in Household.objects.filter(house_id=case.house_id, status=HouseholdStatus.ACTIVE):
        rule = rules.rule_at(household.territory_path, RuleTarget.CASE_CLOSED)
        if rule is None:
            continue
        opened += _insert(
            [
                VisitDue(
                    household=household,
                    territory_path=household.territory_path,
                    rule=rule,
                    kind=rule.kind,
                    case=case,
                    due_on=closed_on + dt.timedelta(days=rule.interval_days),
                )
            ]
        )
    return opened


def cancel_gone(*, at=None) -> int:
    """Rows of households that moved out or dissolved are no longer due."""
    return (
        VisitDue.objects.filter(VisitDue.OPEN)
        .exclude(household__status=HouseholdStatus.ACTIVE)
        .update(cancelled_at=at or clock.now())
    )


def note_overdue(*, today: dt.date | None = None, batch: int = BATCH) -> list[VisitDue]:
    """Claim the rows that have become overdue since the last sweep (each exactly once)."""
    today = today or clock.today()
    now = clock.now()
    with transaction.atomic():
        ids = list(
            VisitDue.objects.select_for_update(skip_locked=True)
            .filter(VisitDue.OPEN, overdue_noted_at__isnull=True, due_on__lt=today)
            .order_by("due_on", "id")
            .values_list("pk", flat=True)[:batch]
        )
        claimed = VisitDue.objects.filter(pk__in=ids, overdue_noted_at__isnull=True)
        rows = list(claimed.values("pk", "territory_path"))
        VisitDue.objects.filter(pk__in=[r["pk"] for r in rows]).update(overdue_noted_at=now)
        if rows:
            from civicgrid.visits import reminders

            reminders.overdue_noted(rows)
    return rows


def sweep() -> dict[str, int]:
    """Open the rows rules ask for, close the ones that no longer apply, remind about new overdue ones."""
    counts = defaultdict(int)
    for rule in list(VisitRule.objects.exclude(target=RuleTarget.CASE_CLOSED).select_related("tag")):
        try:
            with transaction.atomic():
                counts["cancelled"] += cancel_stale(rule)
                if rule.active:
                    counts["opened"] += open_missing(rule)
        except Exception:  # one broken rule must not stop the others; it is retried next time
            log.exception("visits sweep: rule %s could not be processed", rule.pk)
    with transaction.atomic():
        counts["cancelled"] += cancel_gone()
    while True:
        noted = note_overdue()
        counts["overdue"] += len(noted)
        if len(noted) < BATCH:
            break
    return dict(counts)
