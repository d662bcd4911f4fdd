"""Reminders to the grid staff whose households have become overdue for a visit.

One notification per grid for each sweep that finds newly overdue rows there, not one per household:
forty lines a morning would be noise. Whoever holds `visits.log` on the grid is told (or, when nobody
is assigned there, the nearest node above that has someone).
"""

from __future__ import annotations

from collections import Counter

from django.urls import reverse

from civicgrid.core import paths
from civicgrid.territory.models import Territory

OVERDUE = "visits.overdue"


def _grid_of(path: str, levels: dict[str, tuple[str, str]]) -> str:
    for candidate in [path, *reversed(paths.ancestors(path))]:
        if levels.get(candidate, ("", ""))[0] == "grid":
            return candidate
    return path


def overdue_noted(rows: list[dict]) -> None:
    """`rows`: the claimed due rows ({"pk", "territory_path"}), inside the claiming transaction."""
    from civicgrid.notify.selectors import holder_ids
    from civicgrid.notify.services import notify_users

    wanted = {p for r in rows for p in [*paths.ancestors(r["territory_path"]), r["territory_path"]]}
    levels = {
        path: (level, name)
        for path, level, name in Territory.objects.filter(path__in=wanted).values_list(
            "path", "level", "name"
        )
    }
    per_grid = Counter(_grid_of(r["territory_path"], levels) for r in rows)
    link = f"{reverse('visits:due_list')}?when=overdue"
    for grid, count in sorted(per_grid.items()):
        user_ids = holder_ids("visits.log", grid)
        if user_ids:
            notify_users(
                user_ids=user_ids,
                text_code=OVERDUE,
                params={"count": count, "place": levels.get(grid, ("", ""))[1]},
                link=link,
            )
