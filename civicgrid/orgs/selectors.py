from __future__ import annotations

from django.db.models import Count, QuerySet

from civicgrid import access
from civicgrid.orgs.models import Organisation, OrgKind


def organisation_list_for(user, *, kind: str = "") -> QuerySet:
    qs = Organisation.objects.select_related("territory", "parent").annotate(
        member_count=Count("memberships")
    )
    if kind:
        qs = qs.filter(kind=kind)
    return access.scope(user, qs, "orgs.view").order_by("kind", "territory_path", "name")


def departments_serving(path: str, category: str | None = None) -> list[Organisation]:
    """Departments whose served territory contains `path` (they serve their node's whole subtree)."""
    from civicgrid.core import paths

    candidates = [*paths.ancestors(path), path]
    qs = Organisation.objects.filter(kind=OrgKind.DEPARTMENT, active=True, territory_path__in=candidates)
    result = list(qs)
    if category:
        result = [d for d in result if category in d.categories]
    return result


def party_tree_for(user, root_path: str) -> list[Organisation]:
    access.check(user, "orgs.view", root_path)
    from civicgrid.core import paths

    qs = Organisation.objects.filter(paths.subtree_q("territory_path", root_path), kind=OrgKind.PARTY_ORG)
    return list(qs.annotate(member_count=Count("memberships")).order_by("territory_path", "name"))
