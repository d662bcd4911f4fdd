"""Every read of the visits module: takes the user, narrowed through the access layer.

Key-person visits are visible only where the user holds the key persons' permission
(`keypersons.view`); everywhere else they do not exist: not in lists, counts, the today page or the API.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404

from civicgrid import access
from civicgrid.core import clock, paths
from civicgrid.core.pagination import Page, count_upto, keyset_page
from civicgrid.registry.models import Household, HouseholdStatus
from civicgrid.territory.models import Territory
from civicgrid.visits import rules
from civicgrid.visits.models import Need, NeedStatus, Visit, VisitDue, VisitKind, VisitRule
from civicgrid.visits.services import KEY_PERSON_PERMISSION

VIEW = "visits.view"
LOG = "visits.log"
SENSITIVE = "registry.view_sensitive"
SOON_DAYS = 7  # the due list shows what is overdue and what falls due within a week


def _key_person_q(user, field: str = "territory_path", kind_field: str = "kind") -> Q:
    """Rows that are not key-person visits, or are, where the user holds the key persons' permission."""
    where = access.roots(user, KEY_PERSON_PERMISSION)
    if where is None:
        return Q()
    return ~Q(**{kind_field: VisitKind.KEY_PERSON}) | (
        Q(**{kind_field: VisitKind.KEY_PERSON}) & paths.any_subtree_q(field, where)
    )


def visible_visits(user, perm: str = VIEW) -> QuerySet:
    return access.scope(user, Visit.objects.all(), perm).filter(_key_person_q(user))


def place_get_for(user, pk: int, perm: str) -> Territory:
    """A node to look at (404 outside the user's area, 403 inside without `perm`)."""
    return access.get_for(user, Territory.objects.all(), perm, field="path", pk=pk)


def default_place_for(user, perm: str) -> Territory | None:
    """The highest node where the user holds `perm` (the first, when they hold it in several)."""
    where = access.roots(user, perm)
    qs = (
        Territory.objects.filter(parent__isnull=True)
        if where is None
        else Territory.objects.filter(path__in=where)
    )
    return qs.order_by("path").first()


# --- Who is due


@dataclass
class DueFilters:
    kind: str = ""
    when: str = ""  # "" (overdue and due within a week), "overdue", "all"
    territory: Territory | None = None


def _due_scope(user) -> QuerySet:
    return access.scope(user, VisitDue.objects.filter(VisitDue.OPEN), LOG)


def due_list_for(user, filters: DueFilters, *, cursor: str | None = None, size: int = 25) -> Page:
    """Open due rows in the user's area: overdue first (oldest due date), then soonest."""
    today = clock.today()
    qs = _due_scope(user).select_related("household__house", "household__head", "rule__tag", "case")
    if filters.territory is not None:
        access.check(user, LOG, filters.territory.path)
        qs = qs.filter(paths.subtree_q("territory_path", filters.territory.path))
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.when == "overdue":
        qs = qs.filter(due_on__lt=today)
    elif filters.when != "all":
        qs = qs.filter(due_on__lte=today + dt.timedelta(days=SOON_DAYS))
    page = keyset_page(qs, order=("due_on", "id"), cursor=cursor, size=size)
    label_dues(user, page.rows, today)
    return page


def label_dues(user, dues: list[VisitDue], today: dt.date) -> None:
    """Say why each row is due, without naming a sensitive tag to someone who may not see it."""
    for due in dues:
        due.overdue = due.due_on < today
        due.days = (due.due_on - today).days
        due.late = -due.days
        tag = due.rule.tag
        if tag is not None and (not tag.sensitive or access.has_perm_at(user, SENSITIVE, due.territory_path)):
            due.reason = str(tag)
        elif due.case_id:
            due.reason = due.case.code
        else:
            due.reason = ""


def due_counts_for(user) -> dict[str, int]:
    today = clock.today()
    qs = _due_scope(user)
    return {
        "overdue": qs.filter(due_on__lt=today).count(),
        "today": qs.filter(due_on=today).count(),
    }


def overdue_count_for(user, upto: int | None = None) -> int:
    if not access.has_anywhere(user, LOG):
        return 0
    return count_upto(_due_scope(user).filter(due_on__lt=clock.today()), upto)


def due_get_for(user, pk: int) -> VisitDue:
    return access.get_for(user, VisitDue.objects.filter(VisitDue.OPEN).select_related("rule"), LOG, pk=pk)


def household_dues(user, household: Household) -> list[VisitDue]:
    today = clock.today()
    rows = list(
        VisitDue.objects.filter(VisitDue.OPEN, household=household)
        .select_related("rule__tag", "case")
        .order_by("due_on", "id")
    )
    label_dues(user, rows, today)
    return rows


# --- Households


def household_get_for(user, pk: int, perm: str = LOG) -> Household:
    qs = Household.objects.select_related("house", "house__unit", "head")
    return access.get_for(user, qs, perm, pk=pk)


def household_search_for(user, q: str, *, limit: int = 10) -> list[Household]:
    """Households the user may visit, by house code, household number, head's name or address."""
    q = (q or "").strip()
    if len(q) < 1:
        return []
    qs = access.scope(user, Household.objects.filter(status=HouseholdStatus.ACTIVE), LOG)
    qs = qs.filter(
        Q(house__house_code=q.upper())
        | Q(number=q)
        | Q(head__name__startswith=q)
        | Q(house__address__contains=q)
    )
    return list(qs.select_related("house", "head").order_by("territory_path", "id")[:limit])


def members_of(household: Household) -> list:
    return list(household.members.filter(status__in=["present", "away"]).order_by("-relation", "birth_date"))


# --- Visits


@dataclass
class VisitFilters:
    kind: str = ""
    territory: Territory | None = None
    household: Household | None = None
    visitor_id: int | None = None


def visit_list_for(user, filters: VisitFilters, *, cursor: str | None = None, size: int = 25) -> Page:
    """Visits in the user's area, the latest visit date first (a visit may be logged days after)."""
    qs = visible_visits(user).select_related("household__house", "household__head", "visitor", "case")
    if filters.territory is not None:
        access.check(user, VIEW, filters.territory.path)
        qs = qs.filter(paths.subtree_q("territory_path", filters.territory.path))
    if filters.household is not None:
        qs = qs.filter(household=filters.household)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.visitor_id:
        qs = qs.filter(visitor_id=filters.visitor_id)
    return keyset_page(qs, order=("-visited_on", "-id"), cursor=cursor, size=size)


def visit_get_for(user, pk: int) -> Visit:
    """One visit; a key-person visit does not exist for someone without the key persons' permission."""
    qs = Visit.objects.select_related(
        "household__house", "household__head", "resident", "visitor", "case"
    ).prefetch_related("photos", "needs")
    visit = access.get_for(user, qs, VIEW, pk=pk)
    if visit.kind == VisitKind.KEY_PERSON and not access.has_perm_at(
        user, KEY_PERSON_PERMISSION, visit.territory_path
    ):
        from django.http import Http404

        raise Http404
    return visit


def household_history_for(user, household: Household, *, cursor: str | None = None) -> dict:
    return {
        "page": visit_list_for(user, VisitFilters(household=household), cursor=cursor),
        "dues": household_dues(user, household),
        "needs": list(_visible_needs(user).filter(household=household).order_by("status", "-id")[:20]),
    }


# --- Needs


def _visible_needs(user) -> QuerySet:
    """Needs in the user's area; one noted on a key person's visit only where they may know of it."""
    return access.scope(user, Need.objects.all(), VIEW).filter(
        Q(visit__isnull=True) | _key_person_q(user, kind_field="visit__kind")
    )


def need_list_for(
    user, *, status: str = NeedStatus.OPEN, territory: Territory | None = None, cursor: str | None = None
) -> Page:
    qs = _visible_needs(user).select_related("household__house", "household__head", "raised_by")
    if territory is not None:
        access.check(user, VIEW, territory.path)
        qs = qs.filter(paths.subtree_q("territory_path", territory.path))
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs, order=("territory_path", "id"), cursor=cursor, size=25)


def need_get_for(user, pk: int, perm: str = VIEW) -> Need:
    need = access.get_for(user, Need.objects.select_related("household__house"), perm, pk=pk)
    if not _visible_needs(user).filter(pk=need.pk).exists():
        raise Http404  # noted on a key person's visit the user may not know of
    return need


# --- Rules


def rules_for(user, node: Territory) -> dict:
    """The rules that apply at a node (with where each comes from) and the ones set below it."""
    access.check(user, VIEW, node.path)
    applying = sorted(rules.rules_at(node.path).values(), key=lambda r: (r.target, r.tag_id or 0))
    below = list(
        VisitRule.objects.filter(paths.subtree_q("territory_path", node.path))
        .exclude(territory_path=node.path)
        .select_related("tag", "territory")
        .order_by("territory_path", "target", "tag_id")[:200]
    )
    for rule in [*applying, *below]:
        rule.editable = access.has_perm_at(user, "visits.manage_rules", rule.territory_path)
    return {"applying": applying, "below": below}


def rule_get_for(user, pk: int, perm: str = "visits.manage_rules") -> VisitRule:
    return access.get_for(user, VisitRule.objects.select_related("tag", "territory"), perm, pk=pk)


def rule_places_for(user, limit: int = 300) -> list[Territory]:
    """Places where the user may set rules, down to grids, in tree order."""
    qs = Territory.objects.filter(level__in=["county", "town", "community", "grid"], retired_at__isnull=True)
    nodes = list(access.scope(user, qs, "visits.manage_rules", field="path").order_by("path")[:limit])
    top = min((n.depth for n in nodes), default=0)
    for n in nodes:
        n.label = "· " * (n.depth - top) + n.name
    return nodes


def rule_tags_for(user) -> list:
    """Tags a rule may name: sensitive ones only for users who may see them somewhere."""
    from civicgrid.registry.selectors import tag_filter_options_for

    return tag_filter_options_for(user)
