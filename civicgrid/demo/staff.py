"""The demo's staff in its story: made just now, but in post for as long as the story needs."""

from __future__ import annotations

import datetime as dt


def in_post_since(users, since: dt.datetime) -> None:
    """Backdate the role assignments of `users` (a dict or list), so decisions the demo plays under a
    moved clock are made by people who held their roles then, as the access rules require."""
    from civicgrid.accounts.models import RoleAssignment

    users = list(users.values()) if isinstance(users, dict) else list(users)
    RoleAssignment.objects.filter(user__in=users, valid_from__gt=since).update(valid_from=since)
