"""The key-person section of the worker's today page: who is due or overdue for a visit."""

from __future__ import annotations

from civicgrid import access
from civicgrid.keypersons import selectors
from civicgrid.keypersons.services import VIEW


def context(user) -> dict | None:
    """None (no section) for anyone without the permission; the read is recorded like any other."""
    if not access.has_anywhere(user, VIEW):
        return None
    rows, more = selectors.keyperson_due_for(user)
    overdue = selectors.colour_counts_for(user, selectors.Filters())["overdue"] if rows else 0
    return {"key_persons": rows, "more": more, "overdue": overdue, "soon_days": selectors.DUE_SOON_DAYS}
