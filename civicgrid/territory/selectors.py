"""Reads of the territory tree that other modules share."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from civicgrid.core import paths, refcache
from civicgrid.territory.models import Territory

# A process keeps the ancestors of this many places: the grids and units cases are placed on.
LEVELS_KEPT = 20_000


def levels_along(path: str) -> Mapping[str, str]:
    """{path: level} for the node at `path` and every node above it.

    Workflow tiers and notifications ask this on every transition; the tree changes rarely, so the
    answer is kept per process until the tree changes (core/refcache.py).
    """

    def build() -> Mapping[str, str]:
        wanted = [*paths.ancestors(path), path]
        return MappingProxyType(dict(Territory.objects.filter(path__in=wanted).values_list("path", "level")))

    return refcache.remember("territory-levels", path, build, size=LEVELS_KEPT)
