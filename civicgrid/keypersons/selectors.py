"""Every read of key persons: takes the user, scoped through the access layer, and leaves an audit row.

Each read that shows people (a list page, a detail page, the today section, the API) records one
`keyperson.read` event naming the key persons read (by id), the reader and the smallest node that
holds them all. A read that shows nobody records nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, idcard, paths
from civicgrid.core.pagination import Page, keyset_page
from civicgrid.core.protected import blind_index
from civicgrid.keypersons import cadence
from civicgrid.keypersons.models import (
    COLOUR_ORDER,
    KeyPerson,
    KeyPersonCategory,
    RiskColour,
    Status,
)
from civicgrid.keypersons.services import CADENCE_LEVELS, CONFIGURE, MANAGE, VIEW, category_applies
from civicgrid.registry.models import Resident, ResidentStatus
from civicgrid.territory.models import Territory

DUE_SOON_DAYS = 3  # the today page and the "due" filter look this many days ahead
DUE_FILTERS = ("overdue", "due")


@dataclass
class Filters:
    colour: str = ""
    status: str = Status.ACTIVE
    due: str = ""  # "overdue", or "due" (overdue or due within DUE_SOON_DAYS)
    category: str = ""
    q: str = ""
    territory: Territory | None = None


def _common_path(found: list[str]) -> str:
    """The deepest node path that every path in `found` lies under ("" when they share no root)."""
    if not found:
        return ""
    first, last = min(found), max(found)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[: n - n % paths.STEP]


def record_read(user, rows: list[KeyPerson], *, view: str) -> None:
    if not rows:
        return
    if len(rows) == 1:
        obj, where = rows[0], rows[0].territory_path
    else:
        where = _common_path([kp.territory_path for kp in rows])
        obj = Territory.objects.filter(path=where).first() if where else None
    audit_record(
        actor=user,
        action="keyperson.read",
        obj=obj or user,
        territory_path=where,
        summary={"view": view, "key_persons": [kp.pk for kp in rows]},
    )


def _scoped(user, perm: str = VIEW) -> QuerySet:
    return access.scope(user, KeyPerson.objects.all(), perm)


def _filtered(user, filters: Filters, *, with_colour: bool = True) -> QuerySet:
    qs = _scoped(user)
    if filters.territory is not None:
        access.check(user, VIEW, filters.territory.path)
        qs = qs.filter(paths.subtree_q("territory_path", filters.territory.path))
    if filters.status in Status.values:
        qs = qs.filter(status=filters.status)
    if with_colour and filters.colour in RiskColour.values:
        qs = qs.filter(risk_colour=filters.colour)
    today = clock.today()
    if filters.due == "overdue":
        qs = qs.filter(next_visit_due__lt=today)
    elif filters.due == "due":
        qs = qs.filter(next_visit_due__lte=today + dt.timedelta(days=DUE_SOON_DAYS))
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.q.strip():
        qs = qs.filter(resident__name__startswith=filters.q.strip())
    return qs


def _with_places(rows: list[KeyPerson]) -> list[KeyPerson]:
    """Each row's grid name (one query for the whole page) and its days to the next visit."""
    today = clock.today()
    for kp in rows:
        kp.days_left = (kp.next_visit_due - today).days if kp.next_visit_due else None
        kp.days_over = -kp.days_left if kp.days_left and kp.days_left < 0 else 0
    wanted = {p for kp in rows for p in paths.ancestors(kp.territory_path)}
    grids = dict(Territory.objects.filter(path__in=sorted(wanted), level="grid").values_list("path", "name"))
    for kp in rows:
        kp.place = next((grids[p] for p in paths.ancestors(kp.territory_path) if p in grids), "")
    return rows


def _rows(qs: QuerySet) -> QuerySet:
    return qs.select_related("resident", "resident__household__house", "category")


def keyperson_list_for(
    user, filters: Filters, *, cursor: str | None = None, size: int = 25, view: str = "list"
) -> Page:
    """Active ones soonest due first (so the overdue lead); ended and lapsed ones newest first."""
    order = ("next_visit_due", "id") if filters.status == Status.ACTIVE else ("-id",)
    page = keyset_page(_rows(_filtered(user, filters)), order=order, cursor=cursor, size=size)
    _with_places(page.rows)
    record_read(user, page.rows, view=view)
    return page


def colour_counts_for(user, filters: Filters) -> dict[str, int]:
    """{colour: n, "overdue": n, "due": n, "total": n} over the list as filtered, every colour (one query)."""
    today = clock.today()
    aggregates = {c: Count("id", filter=Q(risk_colour=c)) for c in COLOUR_ORDER}
    aggregates["overdue"] = Count("id", filter=Q(status=Status.ACTIVE, next_visit_due__lt=today))
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    aggregates["due"] = Count("id", filter=Q(status=Status.ACTIVE, next_visit_due__lte=soon))
    aggregates["total"] = Count("id")
    return _filtered(user, filters, with_colour=False).aggregate(**aggregates)


def keyperson_get_for(user, pk: int, perm: str = VIEW) -> KeyPerson:
    """One key person: 404 outside the user's area, 403 inside without `perm`. Not recorded: see detail."""
    return access.get_for(user, _rows(KeyPerson.objects.all()), perm, pk=pk)


def keyperson_detail_for(user, kp: KeyPerson, *, view: str = "detail") -> dict:
    record_read(user, [kp], view=view)
    _with_places([kp])
    table = cadence.table_for([kp.territory_path])
    every_days, set_at = cadence.effective(kp.territory_path, table)[kp.risk_colour]
    return {
        "reviews": list(kp.reviews.select_related("reviewer").order_by("at", "id")),
        "alerts": list(kp.alerts.order_by("-due_on", "-id")[:20]),
        "visits": list(kp.visits.select_related("by").order_by("-visited_on", "-id")[:20]),
        "every_days": every_days,
        "cadence_from": Territory.objects.filter(path=set_at).first() if set_at else None,
        "places": list(
            Territory.objects.filter(path__in=[*paths.ancestors(kp.territory_path), kp.territory_path])
            .exclude(level__in=["county", "city"])
            .order_by("path")
        ),
        "can_manage": kp.status == Status.ACTIVE and access.has_perm_at(user, MANAGE, kp.territory_path),
    }


def keyperson_due_for(user, *, limit: int = 10, view: str = "today") -> tuple[list[KeyPerson], bool]:
    """Active key persons overdue or due within DUE_SOON_DAYS, soonest first; and whether there are more."""
    qs = _filtered(user, Filters(due="due"))
    rows = list(_rows(qs).order_by("next_visit_due", "id")[: limit + 1])
    more = len(rows) > limit
    rows = _with_places(rows[:limit])
    record_read(user, rows, view=view)
    return rows, more


# --- Registering: residents and categories to choose from


def resident_options_for(user, q: str, *, limit: int = 20) -> list[Resident]:
    """Residents living in the user's key-person area matching a name start, an ID number or a phone."""
    q = (q or "").strip()
    if not q:
        return []
    qs = access.scope(
        user,
        Resident.objects.filter(status__in=[ResidentStatus.PRESENT, ResidentStatus.AWAY]),
        MANAGE,
    ).select_related("household__house")
    number = idcard.normalise(q)
    digits = q.replace(" ", "")
    if idcard.is_valid(number):
        qs = qs.filter(id_number_hash=blind_index("id_number", number))
    elif digits.isdigit() and 7 <= len(digits) <= 15:
        qs = qs.filter(phone_hash=blind_index("phone", digits))
    else:
        qs = qs.filter(name__startswith=q)
    return list(qs.order_by("territory_path", "id")[:limit])


def resident_for_register(user, pk: int) -> Resident:
    return access.get_for(user, Resident.objects.select_related("household__house"), MANAGE, pk=pk)


def categories_for(user, perm: str = MANAGE) -> list[KeyPersonCategory]:
    """The national categories, and those of the counties (or nodes) over the user's area."""
    qs = KeyPersonCategory.objects.filter(active=True).select_related("territory")
    where = access.roots(user, perm)
    if where is not None:
        above = sorted({a for root in where for a in [*paths.ancestors(root), root]})
        under = paths.any_subtree_q("territory__path", where)
        qs = qs.filter(Q(territory__isnull=True) | Q(territory__path__in=above) | under)
    return list(qs.order_by("order", "code"))


def category_by_code_for(user, code: str, path: str) -> KeyPersonCategory | None:
    """The category a code names where a resident lives: the county's own before the national one."""
    found = [c for c in categories_for(user) if c.code == code and category_applies(c, path)]
    found.sort(key=lambda c: c.territory_id is None)
    return found[0] if found else None


# --- Cadences


def cadence_places_for(user, limit: int = 300) -> list[Territory]:
    """Nodes where the user may set cadences (county down to grid), in tree order."""
    qs = Territory.objects.filter(level__in=CADENCE_LEVELS, retired_at__isnull=True)
    return list(access.scope(user, qs, CONFIGURE, field="path").order_by("path")[:limit])


def cadence_for(user, territory: Territory) -> dict:
    """Per colour on a node: the days that apply, what the node sets itself, and what it inherits."""
    access.check(user, VIEW, territory.path)
    table = cadence.table_for([territory.path])
    effective = cadence.effective(territory.path, table)
    inherited = cadence.effective(territory.path, {p: v for p, v in table.items() if p != territory.path})
    sources = {p for _d, p in [*effective.values(), *inherited.values()] if p}
    names = dict(Territory.objects.filter(path__in=sorted(sources)).values_list("path", "name"))
    own = table.get(territory.path, {})
    return {
        colour: {
            "days": effective[colour][0],
            "own": own.get(colour),
            "inherited_days": inherited[colour][0],
            "inherited_from": names.get(inherited[colour][1] or "", ""),
        }
        for colour in COLOUR_ORDER
    }
