"""The measures (三率 and the rest), read from the roll-ups: never a scan of the case table.

Definitions are in docs/measures.md; the per-case rules are `measures_tally.tallies`. A reading is a
sum of roll-up rows over a place and a period. A period is cut into whole years (read from year
rows), whole months (month rows) and the days left at either end (day rows), so a year costs one
year's rows, not 365 days of them.

The top levels of the tree (a county, its towns, their communities) are read from `CaseStatArea`,
which holds each of those places' figures in total and by one dimension at a time: a county's year
by town is a few hundred rows. Deeper places, and readers who see a department's cases only, read
`CaseStat` (every place × category × department × resolver), narrowed to the subtree. Everything
goes through `access`: a node outside the user's subtrees is 404, and a department handler's rows
are those of their department.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import F, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid import access
from civicgrid.cases.models import AREA_DEPTH, COUNTERS, AreaDim, CaseStat, CaseStatArea, Category, StatGrain
from civicgrid.core import clock, paths
from civicgrid.core.errors import ApplicationError
from civicgrid.territory.models import Territory

VIEW = "cases.view"
BREAKDOWNS = ("territory", "department", "category", "handler")
PERIOD_KINDS = {
    "this_month": gettext_lazy("this month"),
    "last_month": gettext_lazy("last month"),
    "this_year": gettext_lazy("this year"),
    "today": gettext_lazy("today"),
    "custom": gettext_lazy("chosen dates"),
}
MAX_DAYS = 366 * 10
OVERVIEW_LEVELS = ("city", "county", "town", "community", "grid")


# --- Periods -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date  # inclusive

    @property
    def label(self) -> str:
        return str(PERIOD_KINDS.get(self.kind, ""))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _next_month(day: dt.date) -> dt.date:
    return _month_end(day) + dt.timedelta(days=1)


def period_of(
    kind: str, *, today: dt.date | None = None, start: dt.date | None = None, end: dt.date | None = None
) -> Period:
    """A named period in local time, or chosen dates (both inclusive)."""
    today = today or clock.today()
    if kind == "today":
        return Period(kind, today, today)
    if kind == "last_month":
        last = today.replace(day=1) - dt.timedelta(days=1)
        return Period(kind, last.replace(day=1), last)
    if kind == "this_year":
        return Period(kind, today.replace(month=1, day=1), today.replace(month=12, day=31))
    if kind == "custom":
        if start is None:
            raise ApplicationError(_("Give the first day."), field="start")
        if end is None:
            raise ApplicationError(_("Give the last day."), field="end")
        if end < start:
            raise ApplicationError(_("The last day comes before the first."), field="end")
        if (end - start).days >= MAX_DAYS:
            raise ApplicationError(_("Choose at most ten years."), field="end")
        return Period(kind, start, end)
    return Period("this_month", today.replace(day=1), _month_end(today))


def _whole(start: dt.date, end: dt.date, first_of, after) -> tuple[dt.date, dt.date] | None:
    """The first and last day of the whole units (months or years) inside [start, end], if any."""
    first = start if first_of(start) == start else after(start)
    last = end if after(end) - dt.timedelta(days=1) == end else first_of(end) - dt.timedelta(days=1)
    return (first, last) if first <= last else None


def _year_start(day: dt.date) -> dt.date:
    return day.replace(month=1, day=1)


def _next_year(day: dt.date) -> dt.date:
    return dt.date(day.year + 1, 1, 1)


def _days_to_months(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    whole = _whole(start, end, lambda d: d.replace(day=1), _next_month)
    if whole is None:
        return [(StatGrain.DAY, start, end)]
    first, last = whole
    parts = [(StatGrain.MONTH, first, last.replace(day=1))]
    if start < first:
        parts.insert(0, (StatGrain.DAY, start, first - dt.timedelta(days=1)))
    if last < end:
        parts.append((StatGrain.DAY, last + dt.timedelta(days=1), end))
    return parts


def period_parts(period: Period) -> list[tuple[str, dt.date, dt.date]]:
    """`period` cut into (grain, first, last) of row periods: whole years from year rows, whole months
    from month rows, the days left at either end from day rows. No day is counted twice."""
    whole = _whole(period.start, period.end, _year_start, _next_year)
    if whole is None:
        return _days_to_months(period.start, period.end)
    first, last = whole
    parts = [(StatGrain.YEAR, first, _year_start(last))]
    if period.start < first:
        parts = _days_to_months(period.start, first - dt.timedelta(days=1)) + parts
    if last < period.end:
        parts += _days_to_months(last + dt.timedelta(days=1), period.end)
    return parts


def period_q(period: Period) -> Q:
    """Roll-up rows covering `period` exactly, and no row twice."""
    q = Q(pk__in=[])
    for grain, first, last in period_parts(period):
        q |= Q(grain=grain, period__gte=first, period__lte=last)
    return q


# --- Readings --------------------------------------------------------------------------------------


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _pct(rate: float | None) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


def _bar(rate: float | None) -> str:
    return f"w-{round((rate or 0) * 10) * 10}"


@dataclass
class Row:
    """Counts and rates of one place, department, category or handler. Rates are None over zero."""

    key: object
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTERS, 0))
    depth: int = 0  # categories: 0 for a top-level one
    link: int | None = None  # a territory node's pk, to drill down

    def __getattr__(self, name):
        counts = self.__dict__.get("counts", {})
        if name in counts:
            return counts[name]
        raise AttributeError(name)

    def add(self, counts: dict[str, int]) -> None:
        for name in COUNTERS:
            self.counts[name] += counts.get(name) or 0

    @property
    def response_rate(self) -> float | None:
        return _rate(self.counts["responded_in_time"], self.counts["received"])

    @property
    def resolution_rate(self) -> float | None:
        return _rate(self.counts["resolved"], self.counts["received"])

    @property
    def satisfaction_rate(self) -> float | None:
        return _rate(self.counts["satisfied"] + self.counts["basically"], self.counts["rated"])

    @property
    def grid_share(self) -> float | None:
        return _rate(self.counts["settled_grid"], self.counts["resolved"])

    @property
    def community_share(self) -> float | None:
        return _rate(self.counts["settled_community"], self.counts["resolved"])

    @property
    def dispatched_in_time_share(self) -> float | None:
        return _rate(self.counts["dispatched_in_time"], self.counts["dispatched"])

    @property
    def unsatisfied(self) -> int:
        return self.counts["rated"] - self.counts["satisfied"] - self.counts["basically"]

    @property
    def open(self) -> int:
        return self.counts["received"] - self.counts["resolved"]

    @property
    def is_empty(self) -> bool:
        return not (self.counts["received"] or self.counts["merged"])

    # For templates, which cannot call with arguments.
    response_pct = property(lambda self: _pct(self.response_rate))
    resolution_pct = property(lambda self: _pct(self.resolution_rate))
    satisfaction_pct = property(lambda self: _pct(self.satisfaction_rate))
    grid_pct = property(lambda self: _pct(self.grid_share))
    community_pct = property(lambda self: _pct(self.community_share))
    dispatched_in_time_pct = property(lambda self: _pct(self.dispatched_in_time_share))
    response_bar = property(lambda self: _bar(self.response_rate))
    resolution_bar = property(lambda self: _bar(self.resolution_rate))
    satisfaction_bar = property(lambda self: _bar(self.satisfaction_rate))


def total_of(rows: list[Row], label: str = "") -> Row:
    total = Row(key=None, label=label)
    for row in rows:
        total.add(row.counts)
    return total


_SUMS = {name: Sum(name) for name in COUNTERS}


def _scoped_stats(user, node: Territory, period: Period):
    """Roll-up rows under `node` in `period` that the user may see (404 outside their subtrees)."""
    access.check(user, VIEW, node.path)
    qs = access.scope(user, CaseStat.objects.all(), VIEW, organisation_field="department")
    return qs.filter(paths.subtree_q("territory_path", node.path)).filter(period_q(period)).order_by()


def _area_stats(user, node: Territory, period: Period, depth: int, dim: str, *, own: bool):
    """Area rows of `dim` at `depth` in `period`: the node's own (`own`) or those under it. None where
    they cannot answer for this user.

    They can when the depth is kept and the user sees the node's whole subtree: `access.check` has
    passed, so a user acting for no department holds `VIEW` over the node and everything below it.
    Someone who sees a department's cases only reads `CaseStat`, which knows each case's department.
    """
    access.check(user, VIEW, node.path)
    if depth > AREA_DEPTH or access.organisations(user, VIEW):
        return None
    place = Q(territory_path=node.path) if own else paths.subtree_q("territory_path", node.path)
    where = Q(dim=dim, depth=depth) & place
    # Each part of the period in full, so that every branch is one range of the row key's index.
    q = Q(pk__in=[])
    for grain, first, last in period_parts(period):
        q |= where & Q(grain=grain, period__gte=first, period__lte=last)
    return access.scope(user, CaseStatArea.objects.all(), VIEW).filter(q).order_by()


def _node_stats(user, node: Territory, period: Period, dim: str):
    """The node's own rows of one dimension from `CaseStatArea`, or None (read `CaseStat`)."""
    return _area_stats(user, node, period, paths.depth(node.path), dim, own=True)


def _grouped(qs, group) -> dict:
    expression = F(group) if isinstance(group, str) else group
    return {g.pop("g"): g for g in qs.values(g=expression).annotate(**_SUMS)}


def _by_territory(user, node: Territory, period: Period) -> list[Row]:
    width = len(node.path) + paths.STEP
    area = _area_stats(user, node, period, paths.depth(node.path) + 1, AreaDim.TOTAL, own=False)
    if area is not None:  # the children's rows, and the node's own for the cases placed on it
        sums = _grouped(area, "territory_path")
    else:
        sums = _grouped(_scoped_stats(user, node, period), Substr("territory_path", 1, width))
    rows = []
    for child in Territory.objects.filter(parent=node).order_by("path"):
        if child.retired_at is None or child.path in sums:
            rows.append(Row(key=child.path, label=child.name, link=child.pk))
            rows[-1].add(sums.get(child.path, {}))
    if node.path in sums:  # cases placed on the node itself, not on one of its children
        rows.append(Row(key=node.path, label=_("%(name)s itself") % {"name": node.name}, link=None))
        rows[-1].add(sums[node.path])
    return rows


def _by_dimension(user, node: Territory, period: Period, dim: str, field: str) -> dict:
    """{department, category or handler id: sums} under the node; none for 0 (no department, no one)."""
    area = _node_stats(user, node, period, dim)
    if area is not None:
        return _grouped(area, "value")
    qs = _scoped_stats(user, node, period)
    return _grouped(qs if dim == AreaDim.CATEGORY else qs.exclude(**{field: 0}), field)


def _by_department(user, node: Territory, period: Period) -> list[Row]:
    from civicgrid.orgs.models import Organisation

    sums = _by_dimension(user, node, period, AreaDim.DEPARTMENT, "department")
    names = dict(Organisation.objects.filter(pk__in=list(sums)).values_list("pk", "name"))
    rows = [Row(key=pk, label=names.get(pk, f"#{pk}")) for pk in sums]
    for row in rows:
        row.add(sums[row.key])
    return sorted(rows, key=lambda r: (-r.counts["dispatched"], r.label))


def _by_handler(user, node: Territory, period: Period) -> list[Row]:
    from django.contrib.auth import get_user_model

    sums = _by_dimension(user, node, period, AreaDim.HANDLER, "handler")
    users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=list(sums))}
    rows = [Row(key=pk, label=users.get(pk, f"#{pk}")) for pk in sums]
    for row in rows:
        row.add(sums[row.key])
    return sorted(rows, key=lambda r: (-r.counts["resolved"], r.label))


def _by_category(user, node: Territory, period: Period) -> list[Row]:
    """Each category with its own cases and its descendants': a parent includes its children."""
    sums = _by_dimension(user, node, period, AreaDim.CATEGORY, "category_id")
    categories = {c.pk: c for c in Category.objects.all()}
    rows = {pk: Row(key=pk, label=str(c)) for pk, c in categories.items()}
    for pk, counts in sums.items():
        seen = set()
        while pk is not None and pk in categories and pk not in seen:  # up the tree, once per level
            seen.add(pk)
            rows[pk].add(counts)
            pk = categories[pk].parent_id
    ordered: list[Row] = []

    def walk(parent_id, depth):
        kids = sorted(
            (c for c in categories.values() if c.parent_id == parent_id), key=lambda c: (c.order, c.code)
        )
        for c in kids:
            row = rows[c.pk]
            if not row.is_empty:
                row.depth = depth
                ordered.append(row)
                walk(c.pk, depth + 1)

    walk(None, 0)
    return ordered


def three_rates_for(user, node: Territory, period: Period, by: str = "territory") -> list[Row]:
    """The measures under `node` in `period`, one row per child node, department, category or handler.

    by="territory": the node's children (a child's figures include its whole subtree), plus a row for
    cases placed on the node itself; their total is the node's figure.
    by="category": top-level categories with their children below them (`depth`).
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"unknown breakdown {by!r}")
    return {
        "territory": _by_territory,
        "department": _by_department,
        "category": _by_category,
        "handler": _by_handler,
    }[by](user, node, period)


def measures_for(user, node: Territory, period: Period) -> Row:
    """The node's own figures over its whole subtree."""
    row = Row(key=node.path, label=node.name)
    area = _node_stats(user, node, period, AreaDim.TOTAL)
    row.add((area if area is not None else _scoped_stats(user, node, period)).aggregate(**_SUMS))
    return row


# --- Places to choose from ----------------------------------------------------------------------


def overview_places_for(user, limit: int = 300) -> list[Territory]:
    """Nodes down to grids under the user's subtrees, for the place picker, indented by depth."""
    qs = Territory.objects.filter(level__in=OVERVIEW_LEVELS, retired_at__isnull=True)
    nodes = list(access.scope(user, qs, VIEW, field="path").order_by("path")[:limit])
    top = min((n.depth for n in nodes), default=0)
    for n in nodes:
        n.indent = "· " * (n.depth - top)
    return nodes


def overview_node_for(user, pk: int | None) -> Territory | None:
    """The node asked for (404/403 by the access rule), or the user's first place when none is."""
    if pk is not None:
        return access.get_for(user, Territory.objects.all(), VIEW, field="path", pk=pk)
    where = access.roots(user, VIEW)
    qs = Territory.objects.filter(retired_at__isnull=True)
    if where is not None:
        qs = qs.filter(path__in=where)
    return qs.order_by("path").first()


def overview_trail_for(user, node: Territory) -> list[Territory]:
    """The node's ancestors that the user may read too, root first, for climbing back up."""
    above = Territory.objects.filter(path__in=paths.ancestors(node.path)).order_by("path")
    return [t for t in above if access.covers(user, t.path)]
