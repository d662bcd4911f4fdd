"""Keeping the measures' roll-up (`CaseStat`) exact, transition by transition, and rebuilding it.

A case's *tally* is what it adds to the roll-up now: its key (place, day received, category, lead
department, resolver) and one 0/1 counter per measure, all derived from stored facts (the case row,
its deadlines, dispatches and resolve events; the rules are in docs/measures.md). The last tally
added is kept in `CaseTally`. On every `case.changed`, published by the services inside their
transaction after the case and its deadlines have changed, `case_changed` computes the case's tally
afresh and moves the difference into the roll-up. It never trusts the event's `before` snapshot, so
any transition, including ones added later, stays exact as long as it publishes `case.changed`.

Two roll-ups take the difference: `CaseStat` (each place, category, department and resolver) and
`CaseStatArea` (the top levels of the tree, by one dimension at a time), which the dashboards of
counties, towns and communities read.

Concurrency: the service holds the case's row lock, so one case's tally is changed by one transaction
at a time. Roll-up rows are changed by one upsert per table (`n = n + EXCLUDED.n`), in key order, so
two transitions touching the same rows cannot deadlock.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
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
from django.db.models.functions import Coalesce, Substr, TruncDate, TruncMonth, TruncYear

from civicgrid.cases.models import (
    AREA_DEPTH,
    COUNTERS,
    AreaDim,
    Case,
    CaseAssignment,
    CaseEvent,
    CaseStat,
    CaseStatArea,
    CaseTally,
    Deadline,
    DeadlineKind,
    Rating,
    State,
    StatGrain,
    Tier,
)
from civicgrid.core import paths, registry

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


_NO_CASE = -7_357_913  # an id no case has: marks the place of the case's id in the prepared query


@cache
def _tally_query(alias: str) -> tuple[str, list, int]:
    """`tallies` for one case, compiled once per process: its SQL, parameters and the id's place."""
    from django.db import connections

    query = tallies(Case.objects.using(alias).filter(pk=_NO_CASE)).query
    sql, params = query.get_compiler(connection=connections[alias]).as_sql()
    params = list(params)
    if params.count(_NO_CASE) != 1:  # pragma: no cover - a change in how the query is built
        raise RuntimeError("the tally query does not take the case id as one parameter")
    if connections[alias].vendor == "postgresql":
        # Its other ~70 parameters are the rules' constants: written into the text once, they leave
        # a statement of one parameter, which the driver parses once per process instead of on
        # every transition (it caches statements of at most 50).
        at = params.index(_NO_CASE)
        params[at] = _Marker()
        composed = connections[alias].ops.compose_sql(sql, params)
        return composed.replace("%", "%%").replace(_Marker.TEXT, "%s"), [_NO_CASE], 0
    return sql, params, params.index(_NO_CASE)


class _Marker(str):
    """The case id's place in the composed tally query: a text no rule can contain."""

    TEXT = "'cg-tally-case-id'"

    def __new__(cls):
        return super().__new__(cls, cls.TEXT.strip("'"))


def tally_of(case_id: int) -> Tally | None:
    sql, params, at = _tally_query(connection.alias)
    params = [*params[:at], case_id, *params[at + 1 :]]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        row = cursor.fetchone()
    if row is None:
        return None
    row = dict(zip(names, row, strict=True))
    day = row["t_day"]
    if not isinstance(day, dt.date):  # SQLite answers a date as text
        day = dt.date.fromisoformat(str(day))
    return Tally(
        path=row["t_path"],
        day=day,
        category=row["t_category"],
        department=row["t_department"],
        handler=row["t_handler"],
        counts=tuple(int(row[f"t_{n}"]) for n in COUNTERS),
    )


def _stored(obj: CaseTally) -> Tally:
    return Tally(
        path=obj.territory_path,
        day=obj.day,
        category=obj.category_id,
        department=obj.department,
        handler=obj.handler,
        counts=tuple(getattr(obj, name) for name in COUNTERS),
    )


def _periods(day: dt.date) -> list[tuple[str, dt.date]]:
    """The rows' periods a case received on `day` lands in: its day, its month and its year."""
    return [
        (StatGrain.DAY, day),
        (StatGrain.MONTH, day.replace(day=1)),
        (StatGrain.YEAR, day.replace(month=1, day=1)),
    ]


# Row keys in the order of each table's unique constraint (the upsert's conflict target).
STAT_KEY = ("grain", "period", "territory_path", "category_id", "department", "handler")
AREA_KEY = ("dim", "depth", "territory_path", "grain", "period", "value")


def stat_keys(t: Tally) -> list[tuple]:
    return [(grain, period, t.path, t.category, t.department, t.handler) for grain, period in _periods(t.day)]


def area_keys(t: Tally) -> list[tuple]:
    dims = [(AreaDim.TOTAL, 0), (AreaDim.CATEGORY, t.category)]
    if t.department:
        dims.append((AreaDim.DEPARTMENT, t.department))
    if t.handler:
        dims.append((AreaDim.HANDLER, t.handler))
    return [
        (dim, depth, t.path[: depth * paths.STEP], grain, period, value)
        for grain, period in _periods(t.day)
        for depth in range(1, AREA_DEPTH + 1)
        for dim, value in dims
    ]


def _moves(old: Tally | None, new: Tally | None, keys_of) -> dict[tuple, list[int]]:
    moves: dict[tuple, list[int]] = {}
    for tally, sign in ((old, -1), (new, 1)):
        if tally is None:
            continue
        for key in keys_of(tally):
            deltas = moves.setdefault(key, [0] * len(COUNTERS))
            for i, n in enumerate(tally.counts):
                deltas[i] += sign * n
    return {key: d for key, d in moves.items() if any(d)}


def _order(key: tuple) -> tuple:
    return tuple(str(v) for v in key)


def upsert(model, columns: tuple[str, ...], moves: dict[tuple, list[int]], chunk: int = 500) -> None:
    """Add `moves` ({row key: counter deltas}) to the roll-up `model` (see `upsert_all`)."""
    upsert_all([(model, columns, moves)], chunk=chunk)


def upsert_all(parts: list[tuple[type, tuple[str, ...], dict[tuple, list[int]]]], chunk: int = 500) -> None:
    """Add each part's `moves` ({row key: counter deltas}) to its roll-up table, in the parts' order.

    `INSERT … ON CONFLICT DO UPDATE SET n = n + EXCLUDED.n` (PostgreSQL and SQLite alike): no read
    before the write, and no race between two transactions creating the same row. Rows go in one
    order for every transaction, so two of them lock shared rows in the same order and never
    deadlock. A row left counting no case is deleted.
    """
    parts = [(model, columns, moves) for model, columns, moves in parts if moves]
    if not parts:
        return
    returned: list[list[tuple]] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One statement of one array per column, all tables in it: its text never changes, so
            # the driver parses it once per process (a VALUES list of a new case's ~500 parameters
            # was parsed anew on every intake), and a transition pays one round trip for the roll-up.
            params: list = []
            for _model, _columns, moves in parts:
                keys = sorted(moves, key=_order)
                by_column = zip(*([*key, *moves[key]] for key in keys), strict=True)
                params += [list(c) for c in by_column]
            cursor.execute(_upsert_all_sql(tuple((m, c) for m, c, _ in parts)), params)
            rows = cursor.fetchall()
            returned = [[r[1:] for r in rows if r[0] == i] for i in range(len(parts))]
        else:
            adapt = connection.ops.adapt_datefield_value
            for model, columns, moves in parts:
                keys = sorted(moves, key=_order)
                returned.append([])
                for start in range(0, len(keys), chunk):
                    part = keys[start : start + chunk]
                    values: list = []
                    for key in part:
                        values += [adapt(v) if isinstance(v, dt.date) else v for v in key]
                        values += moves[key]
                    cursor.execute(_upsert_sql(model, columns, rows=len(part)), values)
                    returned[-1] += cursor.fetchall()
    for (model, _columns, _moves), rows in zip(parts, returned, strict=True):
        _drop_emptied(model, rows)


def _drop_emptied(model, returned: list[tuple]) -> None:
    emptied = []
    for pk, received, merged in returned:
        if received < 0 or merged < 0:
            # Only a roll-up emptied behind the tallies' back gets here; the rebuild repairs it.
            table = model._meta.db_table
            log.error("case statistics: %s row %s below zero; run rebuild_case_stats", table, pk)
        elif received == 0 and merged == 0:
            emptied.append(pk)
    if emptied:
        model.objects.filter(pk__in=emptied, received=0, merged=0).delete()


@cache
def _upsert_all_sql(tables: tuple[tuple[type, tuple[str, ...]], ...]) -> str:
    """PostgreSQL: each table's upsert from typed arrays, in one statement, tagged by its place."""
    steps = [
        f"u{i} AS ({_upsert_sql(model, columns, arrays=True)})" for i, (model, columns) in enumerate(tables)
    ]
    # The plan reads u0 before u1, and every transition runs this same statement: two of them lock
    # the tables' rows in one order, as the separate statements did.
    union = " UNION ALL ".join(f"SELECT {i}, * FROM u{i}" for i in range(len(tables)))  # noqa: S608
    return f"WITH {', '.join(steps)} {union}"


@cache
def _upsert_sql(model, columns: tuple[str, ...], *, rows: int = 0, arrays: bool = False) -> str:
    """The upsert's statement: `rows` rows of parameters, or (PostgreSQL) one typed array a column."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = [*columns, *COUNTERS]
    if arrays:
        listed = ", ".join(quote(n) for n in names)
        typed = ", ".join(f"%s::{model._meta.get_field(n).db_type(connection)}[]" for n in names)
        source = f"SELECT {listed} FROM unnest({typed}) WITH ORDINALITY AS u({listed}, o) ORDER BY o"  # noqa: S608
    else:
        one = "(" + ", ".join(["%s"] * len(names)) + ")"
        source = f"VALUES {', '.join([one] * rows)}"
    updates = ", ".join(f"{quote(n)} = {table}.{quote(n)} + EXCLUDED.{quote(n)}" for n in COUNTERS)
    # Names are the model's own, values all parameters: nothing here comes from outside.
    return (
        f"INSERT INTO {table} ({', '.join(quote(n) for n in names)}) {source} "  # noqa: S608
        f"ON CONFLICT ({', '.join(quote(c) for c in columns)}) DO UPDATE SET {updates} "
        f"RETURNING {quote('id')}, {quote('received')}, {quote('merged')}"
    )


def apply_change(old: Tally | None, new: Tally | None) -> None:
    """Move one case from its old tally to its new one in both roll-ups."""
    upsert_all(
        [
            (CaseStat, STAT_KEY, _moves(old, new, stat_keys)),
            (CaseStatArea, AREA_KEY, _moves(old, new, area_keys)),
        ]
    )


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


@registry.writes_shared_rows
def case_changed(*, case: Case, action: str = "", **_payload) -> None:
    """Subscriber of `case.changed`: runs inside the transition's transaction, after its changes.

    The roll-up rows of a county's totals are shared by all its cases: they are written last (the
    case's own tally first, this subscriber after the others), to be held locked as briefly as can be.
    """
    new = tally_of(case.pk)
    if new is None:
        return
    if action == "submit":
        existing = None  # made in this very transaction: no tally yet, and nobody else sees the case
    else:
        # FOR UPDATE waits for a running rebuild (which locks the table), then reads what it wrote.
        existing = CaseTally.objects.select_for_update().filter(case_id=case.pk).first()
    old = _stored(existing) if existing is not None else None
    if old == new:
        return
    _save(case.pk, new, existing)
    apply_change(old, new)


def _area_split() -> dict[str, tuple]:
    """Each dimension of `CaseStatArea`: its value from a `CaseStat` row, and the rows it counts."""
    return {
        AreaDim.TOTAL: (Value(0), Q()),
        AreaDim.CATEGORY: (F("category_id"), Q()),
        AreaDim.DEPARTMENT: (F("department"), ~Q(department=0)),
        AreaDim.HANDLER: (F("handler"), ~Q(handler=0)),
    }


def territory_moved(*, old_path: str, new_path: str, **_payload) -> None:
    """Subscriber of `territory.moved` (a grid or unit re-parented; rows below it already rewritten).

    `CaseStat`, the tallies and area rows inside the node moved with it (their paths start with
    its path); the area rows of its old ancestors still hold its cases. They move to the new ones,
    from the node's own `CaseStat` rows, in the same transaction as the move.
    """
    qs = CaseStat.objects.filter(paths.subtree_q("territory_path", new_path)).order_by()
    sums = {name: Sum(name) for name in COUNTERS}
    moves: dict[tuple, list[int]] = {}
    for dim, (value, where) in _area_split().items():
        for row in qs.filter(where).values("grain", "period", v=value).annotate(**sums):
            counts = [row[n] or 0 for n in COUNTERS]
            for depth in range(1, AREA_DEPTH + 1):
                was, now = old_path[: depth * paths.STEP], new_path[: depth * paths.STEP]
                if was == now or depth * paths.STEP >= len(old_path):
                    continue  # the same place, or rows inside the node, which moved with it
                for place, sign in ((was, -1), (now, 1)):
                    key = (dim, depth, place, row["grain"], row["period"], row["v"])
                    deltas = moves.setdefault(key, [0] * len(COUNTERS))
                    for i, n in enumerate(counts):
                        deltas[i] += sign * n
    upsert(CaseStatArea, AREA_KEY, {k: d for k, d in moves.items() if any(d)})


def _lock_tables() -> None:
    if connection.vendor == "postgresql":
        # Readers go on; transitions wait at their tally until the rebuild commits.
        with connection.cursor() as cursor:
            tables = ", ".join(m._meta.db_table for m in (CaseTally, CaseStat, CaseStatArea))
            cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")


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
def stats_rebuild(progress: Callable[[str], None] | None = None) -> dict[str, int]:
    """Recompute every tally from the raw rows, then the roll-up from the tallies. Safe while in use.

    `progress(text)` hears each step as it starts: at ten million cases the whole takes about half
    an hour (docs/benchmarks-city.md), and transitions wait for it.
    """
    say = progress or (lambda text: None)
    _lock_tables()
    CaseStatArea.objects.all().delete()
    CaseStat.objects.all().delete()
    CaseTally.objects.all().delete()
    key = {
        "territory_path": "t_path",
        "category_id": "t_category",
        "department": "t_department",
        "handler": "t_handler",
    }
    counters = {name: f"t_{name}" for name in COUNTERS}
    say("1/5 each case's tally, from the raw rows")
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
        (StatGrain.DAY, F("day"), "day"),
        (StatGrain.MONTH, TruncMonth("day"), "month"),
        (StatGrain.YEAR, TruncYear("day"), "year"),
    )
    for step, (grain, period, name) in enumerate(periods, start=2):
        say(f"{step}/5 rows by {name}, from {cases:,} tallies")
        grouped = CaseTally.objects.order_by().values(**group, t_period=period).annotate(**sums)
        rows += _insert_select(
            CaseStat, grouped, {"period": "t_period", **key, **counters}, constants={"grain": grain}
        )
    say(f"5/5 the areas' rows, from {rows:,} statistic rows")
    area_rows = _area_rebuild()
    if connection.vendor == "postgresql":
        # Fresh statistics, or the planner takes the refilled tables for empty and reads them badly.
        with connection.cursor() as cursor:
            for model in (CaseTally, CaseStat, CaseStatArea):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {"cases": cases, "rows": rows, "area_rows": area_rows}


def stats_vacuum(progress: Callable[[str], None] | None = None) -> bool:
    """VACUUM (ANALYZE) the roll-up after `stats_rebuild` has committed (PostgreSQL; True if it ran).

    The rebuild deletes every old row, so that readers go on meanwhile: until a VACUUM, each old row
    stays in the tables and their unique indexes, beside its new copy, and the next upserts step over
    them. Inside a transaction (a test's) VACUUM cannot run, and autovacuum does it later. Over a full
    roll-up of a million cases it took 250 s here, beside a 145 s rebuild.
    """
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return False
    quote = connection.ops.quote_name
    tables = ", ".join(quote(m._meta.db_table) for m in (CaseTally, CaseStat, CaseStatArea))
    if progress:
        progress("vacuuming the roll-up's tables: the rows the rebuild replaced (transitions go on)")
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM (ANALYZE) {tables}")
    return True


def _area_rebuild() -> int:
    """`CaseStatArea` from `CaseStat`: each depth and dimension, one INSERT … SELECT … GROUP BY."""
    sums = {f"t_{name}": Sum(name) for name in COUNTERS}
    counters = {name: f"t_{name}" for name in COUNTERS}
    rows = 0
    for depth in range(1, AREA_DEPTH + 1):
        for dim, (value, where) in _area_split().items():
            grouped = (
                CaseStat.objects.filter(where)
                .order_by()
                .values(
                    t_grain=F("grain"),
                    t_period=F("period"),
                    t_path=Substr("territory_path", 1, depth * paths.STEP),
                    t_value=value,
                )
                .annotate(**sums)
            )
            columns = {"grain": "t_grain", "period": "t_period", "territory_path": "t_path"}
            rows += _insert_select(
                CaseStatArea,
                grouped,
                {**columns, "value": "t_value", **counters},
                constants={"depth": depth, "dim": dim},
            )
    return rows
