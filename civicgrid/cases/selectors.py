"""Every read of cases: takes the user, scoped through the access layer.

Staff see the cases under their subtrees; a department handler sees the cases dispatched to their
department (`assignments__department`), wherever they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, QuerySet, Subquery

from civicgrid import access
from civicgrid.cases import workflow
from civicgrid.cases.models import OPEN_STATES, Case, CaseEvent, Category, Deadline, State
from civicgrid.core import clock, paths
from civicgrid.core.pagination import Page, keyset_page
from civicgrid.territory.models import Territory

VIEW = "cases.view"


@dataclass
class CaseFilters:
    q: str = ""
    territory: Territory | None = None
    state: str = ""  # a State, or "open" / "overdue"
    category: str = ""
    tier: str = ""
    channel: str = ""
    department: int | None = None


def _scoped(user, perm: str = VIEW) -> QuerySet:
    return access.scope(user, Case.objects.all(), perm, organisation_field="assignments__department")


def _filtered(user, filters: CaseFilters) -> QuerySet:
    qs = _scoped(user)
    if filters.territory is not None:
        access.check(user, VIEW, filters.territory.path)
        qs = qs.filter(paths.subtree_q("territory_path", filters.territory.path))
    if filters.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif filters.state == "overdue":
        qs = qs.filter(state__in=OPEN_STATES, pk__in=_overdue_ids())
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.category:
        qs = qs.filter(Q(category__code=filters.category) | Q(category__parent__code=filters.category))
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.department:
        qs = qs.filter(assignments__department_id=filters.department, assignments__active=True)
    q = filters.q.strip()
    if q:
        qs = qs.filter(Q(code=q.upper()) | Q(title__contains=q) | Q(address__contains=q))
    return qs


def _overdue_ids():
    return (
        Deadline.objects.filter(met_at__isnull=True, cancelled_at__isnull=True)
        .filter(Q(breached_at__isnull=False) | Q(due_at__lte=clock.now()))
        .values("case_id")
    )


def case_list_for(user, filters: CaseFilters, *, cursor: str | None = None, size: int = 25) -> Page:
    """The register, newest first, keyset-paginated (no COUNT over the table)."""
    qs = _filtered(user, filters).select_related("category", "territory")
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


LEVEL_TIERS = {"unit": ["unit"], "grid": ["grid"], "community": ["community"], "town": ["town", "department"]}


def case_queue_for(user, *, limit: int = 100) -> list[Case]:
    """My queue: open cases at the tier I act at (or dispatched to my department), due soonest first.

    A grant on a node of level L covers the open cases in its subtree whose tier acts from level L.
    """
    grants = [g for g in access.grants(user) if "cases.handle" in g.perms]
    levels = dict(Territory.objects.filter(path__in=[g.path for g in grants]).values_list("path", "level"))
    where = Q(pk__in=[])
    for g in grants:
        tiers = LEVEL_TIERS.get(levels.get(g.path, ""), [])
        if tiers:
            where |= paths.subtree_q("territory_path", g.path) & Q(tier__in=tiers)
    orgs = access.organisations(user, "cases.handle")
    if orgs:
        where |= Q(assignments__department_id__in=orgs, assignments__active=True)
    if access.scoping._is_superuser(user):
        where = Q()
    next_due = (
        Deadline.objects.filter(case=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True)
        .order_by("due_at")
        .values("due_at")[:1]
    )
    qs = (
        Case.objects.filter(where, state__in=OPEN_STATES)
        .distinct()
        .select_related("category", "territory")
        .annotate(due_at=Subquery(next_due))
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )
    cases = list(qs[:limit])
    now = clock.now()
    for case in cases:
        case.overdue = case.due_at is not None and case.due_at <= now
    return cases


def case_get_for(user, pk: int, perm: str = VIEW) -> Case:
    try:
        case = Case.objects.select_related("category", "territory", "house", "merged_into", "handler").get(
            pk=pk
        )
    except (Case.DoesNotExist, ValueError, TypeError):
        from django.http import Http404

        raise Http404 from None
    orgs = set(case.assignments.values_list("department_id", flat=True))
    access.check(user, perm, case.territory_path, organisation_ids=orgs)
    return case


def case_timeline(case: Case, *, public_only: bool) -> list[CaseEvent]:
    qs = case.events.select_related("actor")
    if public_only:
        qs = qs.filter(public=True)
    return list(qs)


def case_by_code(code: str) -> Case | None:
    """For the reporter's own tracking page: the code is the key (unguessable, 40 random bits)."""
    return (
        Case.objects.select_related("category", "merged_into")
        .filter(code=(code or "").strip().upper())
        .first()
    )


def categories_public() -> list[Category]:
    return list(Category.objects.filter(active=True, public=True).select_related("parent"))


def open_deadlines(case: Case) -> list[Deadline]:
    return list(case.deadlines.filter(met_at__isnull=True, cancelled_at__isnull=True).order_by("due_at"))


def allowed_actions(user, case: Case) -> list[str]:
    """The workflow actions this user could take on this case now (for showing buttons)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from civicgrid.cases.services import check_action
    from civicgrid.core.errors import ApplicationError

    names = []
    for name, action in workflow.ACTIONS.items():
        if case.state not in action.from_states:
            continue
        try:
            check_action(user, case, name, note="x")
        except (ApplicationError, PermissionDenied, Http404):
            continue
        names.append(name)
    return names


__all__ = ["State"]
