"""Reads for the pages of the lower layers (tree, audit), scoped through the access layer."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from civicgrid import access
from civicgrid.audit.models import AuditEvent, DataAccess
from civicgrid.core import paths, registry
from civicgrid.core.pagination import Page, keyset_page
from civicgrid.registry.models import Household, Resident
from civicgrid.territory.models import Territory

TREE = "territory.view"


def territory_roots_for(user) -> list[Territory]:
    where = access.roots(user, TREE)
    qs = (
        Territory.objects.filter(parent__isnull=True)
        if where is None
        else Territory.objects.filter(path__in=where)
    )
    return list(qs.annotate(child_count=Count("children")).order_by("path"))


def territory_get_for(user, pk: int, perm: str = TREE) -> Territory:
    return access.get_for(user, Territory.objects.select_related("parent"), perm, field="path", pk=pk)


def territory_children_for(user, node: Territory) -> list[Territory]:
    access.check(user, TREE, node.path)
    return list(node.children.annotate(child_count=Count("children")).order_by("path"))


def territory_ancestors_for(user, node: Territory) -> list[Territory]:
    """The breadcrumb: ancestors the user covers, root first."""
    return [
        t
        for t in Territory.objects.filter(path__in=paths.ancestors(node.path)).order_by("path")
        if access.covers(user, t.path)
    ]


def territory_search_for(user, q: str, limit: int = 20) -> list[Territory]:
    qs = access.scope(user, Territory.objects.all(), TREE, field="path")
    q = q.strip()
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(code__startswith=q))
    return list(qs.order_by("path")[:limit])


def territory_move_targets_for(user, node: Territory) -> list[Territory]:
    parent_level = {"grid": "community", "unit": "grid"}.get(node.level)
    if not parent_level:
        return []
    qs = access.scope(
        user,
        Territory.objects.filter(level=parent_level, retired_at__isnull=True),
        "territory.manage",
        field="path",
    )
    return list(qs.exclude(pk=node.parent_id).order_by("path")[:500])


def audit_list_for(user, *, q: str = "", action: str = "", cursor: str | None = None, size: int = 50) -> Page:
    qs = access.scope(user, AuditEvent.objects.select_related("actor"), "audit.view")
    # Some modules' rows say more than audit.view allows (a key person's colour): those need the
    # module's own permission where they happened.
    for prefix, perm in registry.restricted_audit().items():
        where = access.roots(user, perm)
        if where is not None:
            qs = qs.exclude(Q(action__startswith=prefix) & ~paths.any_subtree_q("territory_path", where))
    if action:
        qs = qs.filter(action__startswith=action)
    if q:
        qs = qs.filter(Q(object_repr__contains=q) | Q(actor__username=q))
    # Newest first: order by the negated id through a descending keyset.
    return keyset_page(qs, order=("-id",), cursor=cursor, size=size)


def data_access_list_for(user, *, object_type: str, object_id: str) -> QuerySet:
    return (
        access.scope(user, DataAccess.objects.select_related("actor"), "audit.view")
        .filter(object_type=object_type, object_id=object_id)
        .order_by("-at")[:20]
    )


def counts_under(user, node: Territory) -> dict | None:
    """Households and residents under a node, for users who may see the registry there."""
    if not access.has_perm_at(user, "registry.view", node.path):
        return None
    where = paths.subtree_q("territory_path", node.path)
    return {
        "households": Household.objects.filter(where, status="active").count(),
        "residents": Resident.objects.filter(where, status__in=["present", "away"]).count(),
    }
