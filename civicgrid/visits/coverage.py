"""Coverage: the share of households visited in the current comprehensive round, per place and worker.

The round is the one of the comprehensive rule that applies at the node looked at: rounds run
back to back from the rule's start, each `interval_days` long. Counts are aggregated in SQL once per
lowest path (one GROUP BY over the households of the subtree), then summed in Python for each child
node and each worker's area, so the page costs a handful of queries at any size.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q

from civicgrid import access
from civicgrid.accounts.models import RoleAssignment
from civicgrid.accounts.roles import GRID_STAFF
from civicgrid.core import clock, paths
from civicgrid.core.pagination import Page, keyset_page
from civicgrid.registry.models import Household, HouseholdStatus
from civicgrid.territory.models import Territory
from civicgrid.visits import rules
from civicgrid.visits.models import RuleTarget, Visit, VisitKind, VisitRule

PERM = "visits.coverage"


@dataclass
class Row:
    label: str
    total: int = 0
    visited: int = 0
    node: Territory | None = None
    user: object = None
    role: str = ""
    own: int = 0  # households this worker visited themselves in the round

    @property
    def share(self) -> int:
        return round(100 * self.visited / self.total) if self.total else 0

    @property
    def width(self) -> str:
        """The nearest tenth, for the `w-N` classes of the progress bars (no inline style under CSP)."""
        return f"w-{round(self.share, -1)}"


@dataclass
class Coverage:
    node: Territory
    rule: VisitRule | None
    round_start: dt.date | None
    round_end: dt.date | None
    total: Row
    places: list[Row] = field(default_factory=list)
    workers: list[Row] = field(default_factory=list)


def current_round(rule: VisitRule, today: dt.date) -> tuple[dt.date, dt.date]:
    """The round that contains `today` (the first one, before the rule starts)."""
    span = dt.timedelta(days=rule.interval_days)
    done = max(0, (today - rule.starts_on).days // rule.interval_days)
    start = rule.starts_on + done * span
    return start, start + span


def _visited_in(start: dt.date):
    return Exists(
        Visit.objects.filter(household=OuterRef("pk"), kind=VisitKind.COMPREHENSIVE, visited_on__gte=start)
    )


def _counts_by_path(node: Territory, start: dt.date | None) -> dict[str, tuple[int, int]]:
    qs = Household.objects.filter(paths.subtree_q("territory_path", node.path), status=HouseholdStatus.ACTIVE)
    if start is None:
        rows = qs.values("territory_path").annotate(total=Count("id")).values_list("territory_path", "total")
        return {p: (t, 0) for p, t in rows}
    rows = (
        qs.values("territory_path")
        .annotate(total=Count("id"), visited=Count("id", filter=Q(_visited_in(start))))
        .values_list("territory_path", "total", "visited")
    )
    return {p: (t, v) for p, t, v in rows}


def _sum_under(counts: dict[str, tuple[int, int]], root: str) -> tuple[int, int]:
    total = visited = 0
    for path, (t, v) in counts.items():
        if paths.is_within(path, root):
            total, visited = total + t, visited + v
    return total, visited


def coverage_for(user, node: Territory) -> Coverage:
    access.check(user, PERM, node.path)
    today = clock.today()
    rule = rules.rule_at(node.path, RuleTarget.ALL_HOUSEHOLDS)
    start, end = current_round(rule, today) if rule else (None, None)
    counts = _counts_by_path(node, start)
    total = Row(node.name, *_sum_under(counts, node.path), node=node)
    places = []
    for child in Territory.objects.filter(parent=node, retired_at__isnull=True).order_by("path"):
        places.append(Row(child.name, *_sum_under(counts, child.path), node=child))
    workers = _workers(node, counts, start)
    return Coverage(node, rule, start, end, total, places, workers)


def _workers(node: Territory, counts, start: dt.date | None) -> list[Row]:
    assignments = (
        RoleAssignment.objects.active()
        .filter(paths.subtree_q("territory_path", node.path), role__in=GRID_STAFF, user__is_active=True)
        .select_related("user", "territory")
        .order_by("territory_path", "role", "user_id")
    )
    own: dict[int, int] = {}
    if start is not None:
        own = dict(
            Visit.objects.filter(
                paths.subtree_q("territory_path", node.path),
                kind=VisitKind.COMPREHENSIVE,
                visited_on__gte=start,
            )
            .values("visitor")
            .annotate(n=Count("household", distinct=True))
            .values_list("visitor", "n")
        )
    rows = []
    for a in assignments:
        total, visited = _sum_under(counts, a.territory_path)
        rows.append(
            Row(
                str(a.user),
                total,
                visited,
                node=a.territory,
                user=a.user,
                role=a.get_role_display(),
                own=own.get(a.user_id, 0),
            )
        )
    return rows


def households_not_visited_for(
    user, node: Territory, *, since_round: bool = False, cursor: str | None = None, size: int = 25
) -> Page:
    """Active households under the node never visited (or, with `since_round`, not in this round).

    Key-person visits do not count: whether a household has one is not for everyone to see.
    """
    access.check(user, PERM, node.path)
    visits = Visit.objects.filter(household=OuterRef("pk")).exclude(kind=VisitKind.KEY_PERSON)
    if since_round:
        rule = rules.rule_at(node.path, RuleTarget.ALL_HOUSEHOLDS)
        if rule is not None:
            start, _end = current_round(rule, clock.today())
            visits = visits.filter(kind=VisitKind.COMPREHENSIVE, visited_on__gte=start)
    qs = (
        access.scope(user, Household.objects.filter(status=HouseholdStatus.ACTIVE), PERM)
        .filter(paths.subtree_q("territory_path", node.path))
        .filter(~Exists(visits))
        .select_related("house", "head")
    )
    return keyset_page(qs, order=("territory_path", "id"), cursor=cursor, size=size)
