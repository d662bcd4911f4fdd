"""The grid work of the demo county: visits, key persons, party work, patrols, self-registrations.

Each module's loader goes through that module's services and does nothing when its data is there, so
this runs on a fresh demo and again on a demo loaded before these modules existed. Visits come after
the cases (cases closed lately owe their return visits); self-registrations last.
"""

from __future__ import annotations

from collections.abc import Callable

from civicgrid.demo import keypersons, partywork, patrols, selfreg, visits

LOADERS = (("visits", visits.load), ("key persons", keypersons.load), ("party work", partywork.load),
           ("patrols", patrols.load), ("self-registration", selfreg.load))  # fmt: skip


def load_grid_work(*, seed: int, progress: Callable[[str], None] | None = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, loader in LOADERS:
        made = loader(seed=seed) or {}
        counts.update(made)
        if progress and any(made.values()):
            progress(f"  {name}: " + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in made.items() if n))
    return counts
