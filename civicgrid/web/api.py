"""Territory endpoints (the tree sits below the access layer, so its API lives in this surface)."""

from __future__ import annotations

from django.http import Http404
from ninja import Router, Schema

from civicgrid.core.api import errors
from civicgrid.territory import services as territory_services
from civicgrid.web import selectors

router = Router(tags=["territory"])


class TerritoryOut(Schema):
    id: int
    parent_id: int | None
    level: str
    kind: str
    code: str
    name: str
    path: str
    retired: bool
    boundary: dict | None = None

    @staticmethod
    def resolve_retired(obj):
        return obj.retired_at is not None


@router.get("", response={200: list[TerritoryOut], **errors()}, summary="The roots of my territory")
def territory_roots(request):
    return selectors.territory_roots_for(request.user)


@router.get(
    "/locate", response={200: TerritoryOut, **errors()}, summary="The grid (or other level) covering a point"
)
def territory_locate(request, lon: float, lat: float, level: str = "grid"):
    node = territory_services.territory_locate(lon=lon, lat=lat, level=level)
    if node is None:
        raise Http404
    return selectors.territory_get_for(request.user, node.pk)


@router.get("/{territory_id}", response={200: TerritoryOut, **errors()})
def territory_get(request, territory_id: int):
    return selectors.territory_get_for(request.user, territory_id)


@router.get("/{territory_id}/children", response={200: list[TerritoryOut], **errors()})
def territory_children(request, territory_id: int):
    node = selectors.territory_get_for(request.user, territory_id)
    return selectors.territory_children_for(request.user, node)
