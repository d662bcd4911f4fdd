"""Keeping the measures' roll-up (`CaseStat`) exact, transition by transition, and rebuilding it.

A case's *tally* is what it adds to the roll-up now: its key (place, day received, category, lead
department, resolver) and one 0/1 counter per measure, all derived from stored facts (the case row,
its deadlines, dispatches and resolve events; the rules are in docs/measures.md). The last tally
added is kept in `CaseTally`. On every `case.changed`, published by the services inside their
transaction after the case and its deadlines have changed, `case_changed` computes the case's tally
afresh and moves the difference into the roll-up. It never trusts the event's `before` snapshot, so
any transition, including ones added later, stays exact as long as it publishes `case.changed`.

Concurrency: the service holds the case's row lock, so one case's tally is changed by one transaction
at a time. Roll-up rows are changed with `UPDATE … SET n = n + d` (or created, retried once on a
unique-key race), in key order, so two transitions touching the same rows cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    BigIntegerField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models import Case as Case_
from django.db.models.functions import Coalesce, TruncDate, TruncMonth, TruncYear

from civicgrid.cases.models import (
    COUNTERS,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseStat,
    CaseTally,
    Deadline,
    DeadlineKind,
    Rating,
    State,
    StatGrain,
    Tier,
)

log = logging.getLogger(__name__)

RESOLVED_STATES = (State.RESOLVED, State.CLOSED)
GRID_TIERS = (Tier.UNIT, Tier.GRID)
KEY = ("t_path", "t_day", "t_category", "t_department", "t_handler")


@cache
def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


@dataclass(frozen=True)
class Tally:
    path: str
    day: dt.date
    category: int
    department: int
    handler: int
    counts: tuple[int, ...]

    @property
    def key(self) -> tuple:
        return (self.path, self.day, self.category, self.department, self.handler)


def _flag(condition: Q) -> Case_:
    return Case_(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def tallies(qs: QuerySet) -> QuerySet:
    """Each case's tally, computed in the database: the definitions of docs/measures.md, as one query.

    The subscriber runs it for one case, the rebuild for all of them, so both count alike by
    construction. Facts from related rows: the first respond limit (round 1), the latest resolve
    limit (highest round), the latest lead department, the actor of the latest resolution.
    """
    deadlines = Deadline.objects.filter(case=OuterRef("pk"))
    respond = deadlines.filter(kind=DeadlineKind.RESPOND).order_by("round")
    resolve = deadlines.filter(kind=DeadlineKind.RESOLVE).order_by("-round")
    lead = CaseAssignment.objects.filter(case=OuterRef("pk"), lead=True).order_by("-id")
    resolution = CaseEvent.objects.filter(case=OuterRef("pk"), action="resolve").order_by("-id")
    live = ~Q(state=State.MERGED)
    resolved = Q(state__in=RESOLVED_STATES)
    in_time = resolved & Q(last_resolve_met__lte=F("last_resolve_due"))
    dispatched = Q(dispatched=True)
    counters = {
        "received": live,
        "merged": Q(state=State.MERGED),
        "responded": live & Q(responded_at__isnull=False),
        "responded_in_time": live & Q(responded_at__lte=F("first_respond_due")),
        "resolved": resolved,
        "resolved_in_time": in_time,
        "rated": live & ~Q(rating=""),
        "satisfied": live & Q(rating=Rating.SATISFIED),
        "basically": live & Q(rating=Rating.BASICALLY),
        "settled_grid": resolved & Q(settled_tier__in=GRID_TIERS),
        "settled_community": resolved & Q(settled_tier=Tier.COMMUNITY),
        "on_the_spot": resolved & Q(on_the_spot=True),
        "dispatched": live & dispatched,
        "dispatched_resolved": resolved & dispatched,
        "dispatched_in_time": in_time & dispatched,
    }
    return (
        qs.order_by()
        .alias(
            first_respond_due=Subquery(respond.values("due_at")[:1]),
            last_resolve_due=Subquery(resolve.values("due_at")[:1]),
            last_resolve_met=Subquery(resolve.values("met_at")[:1]),
        )
        .values(
            t_case=F("pk"),
            t_path=F("territory_path"),
            t_day=TruncDate("created_at", tzinfo=local_zone()),
            t_category=F("category_id"),
            t_department=Case_(
                When(live & dispatched, then=Coalesce(Subquery(lead.values("department_id")[:1]), 0)),
                default=Value(0),
                output_field=BigIntegerField(),
            ),
            t_handler=Case_(
                When(resolved, then=Coalesce(Subquery(resolution.values("actor_id")[:1]), 0)),
                default=Value(0),
                output_field=BigIntegerField(),
            ),
            **{f"t_{name}": _flag(condition) for name, condition in counters.items()},
        )
    )


def tally_of(case_id: int) -> Tally | None:
    row = tallies(Case.objects.filter(pk=case_id)).first()
    if row is None:
        return None
    return Tally(*(row[k] for k in KEY), counts=tuple(row[f"t_{n}"] for n in COUNTERS))


def _stored(obj: CaseTally) -> Tally:
    return Tally(
        path=obj.territory_path,
        day=obj.day,
        category=obj.category_id,
        department=obj.department,
        handler=obj.handler,
        counts=tuple(getattr(obj, name) for name in COUNTERS),
    )


def _rows_of(key: tuple) -> list[dict]:
    """The three roll-up rows a tally lands in: its day, its month and its year."""
    path, day, category, department, handler = key
    common = {"territory_path": path, "category_id": category, "department": department, "handler": handler}
    return [
        {"grain": StatGrain.DAY, "period": day, **common},
        {"grain": StatGrain.MONTH, "period": day.replace(day=1), **common},
        {"grain": StatGrain.YEAR, "period": day.replace(month=1, day=1), **common},
    ]


def _apply(row_key: dict, deltas: dict[str, int]) -> None:
    changes = {name: F(name) + d for name, d in deltas.items() if d}
    if not changes:
        return
    if CaseStat.objects.filter(**row_key).update(**changes):
        if any(d < 0 for d in deltas.values()):
            CaseStat.objects.filter(**row_key, received=0, merged=0).delete()
        return
    if any(d < 0 for d in deltas.values()):
        # Only a roll-up emptied behind the tallies' back gets here; the rebuild command repairs it.
        log.error("case statistics: no row %s to subtract from; run rebuild_case_stats", row_key)
        return
    try:
        with transaction.atomic():
            CaseStat.objects.create(**row_key, **deltas)
    except IntegrityError:  # another transaction created the row first: add to it
        CaseStat.objects.filter(**row_key).update(**changes)


def apply_change(old: Tally | None, new: Tally | None) -> None:
    """Move one case from its old tally to its new one in the roll-up."""
    moves: dict[tuple, dict[str, int]] = {}
    for tally, sign in ((old, -1), (new, 1)):
        if tally is None:
            continue
        for row_key in _rows_of(tally.key):
            ident = tuple(row_key.values())
            deltas = moves.setdefault(ident, dict.fromkeys(COUNTERS, 0))
            for name, n in zip(COUNTERS, tally.counts, strict=True):
                deltas[name] += sign * n
    # One order for every transaction: rows are locked in key order, so no two wait on each other.
    for ident in sorted(moves, key=lambda k: tuple(str(v) for v in k)):
        row_key = dict(
            zip(
                ("grain", "period", "territory_path", "category_id", "department", "handler"),
                ident,
                strict=True,
            )
        )
        _apply(row_key, moves[ident])


def _save(case_id: int, tally: Tally, existing: CaseTally | None) -> None:
    fields = {
        "territory_path": tally.path,
        "day": tally.day,
        "category_id": tally.category,
        "department": tally.department,
        "handler": tally.handler,
        **dict(zip(COUNTERS, tally.counts, strict=True)),
    }
    if existing is None:
        CaseTally.objects.create(case_id=case_id, **fields)
    else:
        CaseTally.objects.filter(case_id=case_id).update(**fields)


def case_changed(*, case: Case, **_payload) -> None:
    """Subscriber of `case.changed`: runs inside the transition's transaction, after its changes."""
    new = tally_of(case.pk)
    if new is None:
        return
    # FOR UPDATE waits for a running rebuild (which locks the table), then reads what it wrote.
    existing = CaseTally.objects.select_for_update().filter(case_id=case.pk).first()
    old = _stored(existing) if existing is not None else None
    if old == new:
        return
    apply_change(old, new)
    _save(case.pk, new, existing)


def _lock_tables() -> None:
    if connection.vendor == "postgresql":
        # Readers go on; transitions wait at their tally until the rebuild commits.
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {CaseTally._meta.db_table}, {CaseStat._meta.db_table} IN EXCLUSIVE MODE"
            )


def _insert_select(model, qs: QuerySet, columns: dict[str, str], constants: dict | None = None) -> int:
    """INSERT INTO model's table the rows of `qs`, its aliases mapped to columns: no row passes Python."""
    quote = connection.ops.quote_name
    constants = constants or {}
    sql, params = qs.query.sql_with_params()
    targets = [*constants, *columns]
    sources = ["%s"] * len(constants) + [f"q.{quote(alias)}" for alias in columns.values()]
    # Every name is a model's or an alias of our own, every value a parameter: nothing comes from outside.
    into = f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(c) for c in targets)})"
    statement = f"{into} SELECT {', '.join(sources)} FROM ({sql}) q"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, (*constants.values(), *params))
        return cursor.rowcount


@transaction.atomic
def stats_rebuild() -> dict[str, int]:
    """Recompute every tally from the raw rows, then the roll-up from the tallies. Safe while in use."""
    _lock_tables()
    CaseStat.objects.all().delete()
    CaseTally.objects.all().delete()
    key = {
        "territory_path": "t_path",
        "category_id": "t_category",
        "department": "t_department",
        "handler": "t_handler",
    }
    counters = {name: f"t_{name}" for name in COUNTERS}
    cases = _insert_select(
        CaseTally, tallies(Case.objects.all()), {"case_id": "t_case", "day": "t_day", **key, **counters}
    )
    rows = 0
    group = {
        "t_path": F("territory_path"),
        "t_category": F("category_id"),
        "t_department": F("department"),
        "t_handler": F("handler"),
    }
    sums = {f"t_{name}": Sum(name) for name in COUNTERS}
    periods = (
        (StatGrain.DAY, F("day")),
        (StatGrain.MONTH, TruncMonth("day")),
        (StatGrain.YEAR, TruncYear("day")),
    )
    for grain, period in periods:
        grouped = CaseTally.objects.order_by().values(**group, t_period=period).annotate(**sums)
        rows += _insert_select(
            CaseStat, grouped, {"period": "t_period", **key, **counters}, constants={"grain": grain}
        )
    return {"cases": cases, "rows": rows}
