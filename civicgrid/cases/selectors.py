"""Every read of cases: takes the user, scoped through the access layer.

Staff see the cases under their subtrees; a department handler sees the cases dispatched to their
department (`assignments__department`), wherever they are.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery

from civicgrid import access
from civicgrid.cases import workflow
from civicgrid.cases.models import (
    OPEN_STATES,
    Case,
    CaseAssignment,
    CaseEvent,
    Category,
    Deadline,
    State,
    Tier,
)
from civicgrid.core import clock, paths, refcache
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
    received_from: object = None  # a date, local time, inclusive
    received_to: object = None  # a date, local time, inclusive


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
        qs = qs.filter(category_id__in=category_ids(filters.category))
    if filters.tier:
        qs = qs.filter(tier=filters.tier)
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.department:
        active = CaseAssignment.objects.filter(department_id=filters.department, active=True)
        qs = qs.filter(pk__in=active.values("case_id"))
    q = filters.q.strip()
    if q:
        qs = qs.filter(Q(code=q.upper()) | Q(title__contains=q) | Q(address__contains=q))
    if filters.received_from:  # bounds as instants, so the index on created_at serves them
        qs = qs.filter(created_at__gte=_day_start(filters.received_from))
    if filters.received_to:
        qs = qs.filter(created_at__lt=_day_start(filters.received_to, after=True))
    return qs


def category_ids(code: str) -> tuple[int, ...]:
    """A category and its children (a parent matches its children too), as ids the planner can count."""
    return refcache.remember(
        "category-ids",
        code,
        lambda: tuple(
            Category.objects.filter(Q(code=code) | Q(parent__code=code)).values_list("pk", flat=True)
        ),
    )


def _day_start(day, *, after: bool = False):
    import datetime as dt

    from django.utils import timezone

    day = day + dt.timedelta(days=1) if after else day
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _current_round() -> Exists:
    """A deadline of its case's latest round: a breach that moved the case up opened a new round, and
    the case is judged by that one; a breach with nowhere higher to go stays in the latest round."""
    later = Deadline.objects.filter(case=OuterRef("case"), round__gt=OuterRef("round"))
    return ~Exists(later)


def _overdue_ids():
    return (
        Deadline.objects.filter(_current_round(), met_at__isnull=True, cancelled_at__isnull=True)
        .filter(Q(breached_at__isnull=False) | Q(due_at__lte=clock.now()))
        .values("case_id")
    )


# What a row of the register shows: the page reads these columns only, not the texts of each case.
REGISTER_COLUMNS = (
    "id", "code", "title", "state", "tier", "channel", "urgency", "created_at", "territory_path",
    "category", "category__name_zh", "category__name_en", "territory", "territory__name",
)  # fmt: skip


def case_list_for(
    user, filters: CaseFilters, *, cursor: str | None = None, size: int = 25, only: tuple[str, ...] = ()
) -> Page:
    """The register, newest first, keyset-paginated (no COUNT over the table); `only` some columns."""
    qs = _filtered(user, filters).select_related("category", "territory")
    if only:
        qs = qs.only(*only)
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


LEVEL_TIERS = {"unit": ["unit"], "grid": ["grid"], "community": ["community"], "town": ["town", "department"]}


def case_queue_for(user, *, limit: int = 100) -> list[Case]:
    """My queue: open cases at the tier I act at (or dispatched to my department), due soonest first.

    A grant on a node of level L covers the open cases in its subtree whose tier acts from level L.
    """
    grants = [g for g in access.grants(user) if "cases.handle" in g.perms and not g.organisation_id]
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
    next_due = (  # the soonest limit of the latest round (see `_current_round`)
        Deadline.objects.filter(case=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True)
        .order_by("-round", "due_at")
        .values("due_at")[:1]
    )
    qs = (
        Case.objects.filter(where, state__in=OPEN_STATES)
        .distinct()
        .select_related("category", "territory")
        .prefetch_related(
            Prefetch("assignments", CaseAssignment.objects.filter(active=True).select_related("department"))
        )
        .annotate(due_at=Subquery(next_due))
        .order_by(F("due_at").asc(nulls_last=True), "id")
    )
    cases = list(qs[:limit])
    now = clock.now()
    for case in cases:
        case.overdue = case.due_at is not None and case.due_at <= now
    return cases


def case_taken_in_for(user, case: Case, perm: str = VIEW) -> Case:
    """A case this request has just taken in (`case_submit`), under `case_get_for`'s rule, unread.

    It has every relation the detail shows in hand and no dispatch yet, so nothing is read again.
    """
    access.check(user, perm, case.territory_path, organisation_ids=set())
    return case


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


def _tier_move_possible(case: Case, name: str) -> bool:
    """Escalate and return need a tier to move to (the services refuse them otherwise)."""
    if name == "escalate":
        return workflow.tier_above(case.tier) not in (None, Tier.DEPARTMENT)
    if name == "return":
        below = workflow.tier_below(case.tier)
        floor = workflow.lowest_tier_for_level(case.territory.level)
        return below is not None and workflow.tier_rank(below) >= workflow.tier_rank(floor)
    return True


def allowed_actions(user, case: Case, *, new: bool = False) -> list[str]:
    """The workflow actions this user could take on this case now (for showing buttons)."""
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    from civicgrid.cases.services import case_facts, check_action
    from civicgrid.core.errors import ApplicationError

    names = []
    facts = case_facts(case, new=new)
    for name, action in workflow.ACTIONS.items():
        if case.state not in action.from_states or not _tier_move_possible(case, name):
            continue
        try:
            check_action(user, case, name, note="x", facts=facts)
        except (ApplicationError, PermissionDenied, Http404):
            continue
        names.append(name)
    return names


def territory_for_filter(user, pk: int) -> Territory:
    """A node to narrow a list to, if the user sees cases there (else 404/403)."""
    return access.get_for(user, Territory.objects.all(), VIEW, field="path", pk=pk)


def categories_active() -> list[Category]:
    """The whole active catalogue, for staff and integrations (residents get `categories_public`)."""
    return list(Category.objects.filter(active=True).select_related("parent"))


def category_by_code(code: str) -> Category | None:
    """An active category, from the process's kept copy of it (every intake names one)."""
    code = (code or "").strip()
    found = refcache.remember(
        "category-by-code", code, lambda: Category.objects.filter(code=code, active=True).first()
    )
    return copy.copy(found) if found is not None else None  # each caller its own instance


def case_get_by_code_for(user, code: str, perm: str = VIEW) -> Case:
    """A case named by its tracking code, under the same 404/403 rule as `case_get_for`."""
    case = case_by_code(code)
    if case is None:
        from django.http import Http404

        raise Http404
    return case_get_for(user, case.pk, perm)


def case_detail_for(user, case: Case, *, new: bool = False) -> dict:
    """What a staff member sees of one case: both timelines, deadlines, departments, extensions.

    `new`: the case was taken in by this very request, so it has no dispatch and no extension yet,
    and its timeline and deadlines are what `case_submit` wrote (`case.written`).
    """
    from civicgrid.cases.models import Extension

    if new:
        written = getattr(case, "written", None) or {
            "timeline": case_timeline(case, public_only=False),
            "deadlines": list(case.deadlines.order_by("round", "kind")),
        }
        return {
            **written,
            "assignments": [],
            "extensions": [],
            "actions": allowed_actions(user, case, new=True),
        }
    return {
        "timeline": case_timeline(case, public_only=False),
        "deadlines": list(case.deadlines.order_by("round", "kind")),
        "assignments": list(case.assignments.select_related("department").order_by("assigned_at", "id")),
        "extensions": list(
            Extension.objects.filter(deadline__case=case)
            .select_related("deadline", "requested_by", "decided_by")
            .order_by("requested_at", "id")
        ),
        "actions": allowed_actions(user, case),
    }


def extension_get_for(user, case: Case, pk: int):
    """An extension request of `case` (already fetched through `case_get_for`), or 404."""
    from django.http import Http404

    from civicgrid.cases.models import Extension

    extension = Extension.objects.select_related("deadline").filter(pk=pk, deadline__case=case).first()
    if extension is None:
        raise Http404
    return extension


def intake_place_for(user, *, house_code: str = "", territory_id: int | None = None):
    """The house or the node a new case is about, where the user may take cases in (else 404/403)."""
    from civicgrid.registry.models import House

    if house_code:
        house = access.get_for(
            user, House.objects.select_related("unit"), "cases.intake", house_code=house_code.strip().upper()
        )
        return house, None
    if territory_id is not None:
        node = access.get_for(user, Territory.objects.all(), "cases.intake", field="path", pk=territory_id)
        return None, node
    return None, None


def departments_by_ids(ids: list[int]) -> list:
    """The departments named by id, in the order given (the first leads); unknown ids are left out."""
    from civicgrid.orgs.models import Organisation

    found = Organisation.objects.in_bulk(list(dict.fromkeys(ids)))
    return [found[i] for i in dict.fromkeys(ids) if i in found]


__all__ = ["State"]
