"""Visit cadences by colour, inherited down the tree: the deepest node that sets a colour decides it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Q

from civicgrid.core import paths
from civicgrid.keypersons.catalogue import DEFAULT_CADENCE
from civicgrid.keypersons.models import VisitCadence

Table = dict[str, dict[str, int]]  # node path → {colour: days}, only what each node sets itself


def _table(where: Q) -> Table:
    table: Table = defaultdict(dict)
    for path, colour, days in VisitCadence.objects.filter(where).values_list(
        "territory_path", "risk_colour", "every_days"
    ):
        table[path][colour] = days
    return table


def table_for(node_paths: Iterable[str]) -> Table:
    """The settings that can apply at these paths: on each path and on its ancestors."""
    wanted: set[str] = set()
    for p in node_paths:
        wanted.update(paths.ancestors(p))
        wanted.add(p)
    return _table(Q(territory_path__in=sorted(wanted))) if wanted else {}


def table_under(path: str) -> Table:
    """Everything that can apply anywhere in a subtree: its ancestors' settings and its own."""
    return _table(Q(territory_path__in=paths.ancestors(path)) | paths.subtree_q("territory_path", path))


def effective(path: str, table: Table) -> dict[str, tuple[int, str | None]]:
    """{colour: (days, path of the node that set it, or None for the national default)}."""
    result: dict[str, tuple[int, str | None]] = {c: (d, None) for c, d in DEFAULT_CADENCE.items()}
    for p in [*paths.ancestors(path), path]:  # root first, so a deeper node overrides
        for colour, days in table.get(p, {}).items():
            result[colour] = (days, p)
    return result


def days_for(path: str, colour: str, table: Table) -> int:
    return effective(path, table)[colour][0]


def next_due(*, since: dt.date, last_visited_on: dt.date | None, every_days: int) -> dt.date:
    return (last_visited_on or since) + dt.timedelta(days=every_days)
