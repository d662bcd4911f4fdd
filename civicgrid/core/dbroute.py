"""Read-only selectors served by a PostgreSQL streaming replica, when one is configured.

Only code that asks for it reads from the replica: a view or task wrapped in `replica_reads()` (or
decorated with `@replica_view`) sends its reads there, and everything else, every write included,
goes to the primary. Lists, dashboards and exports can stand a replica's lag of a fraction of a second;
a page that writes and then reads its own write (a form, a workflow action) must not, so it is never
routed. Inside a transaction on the primary, reads stay on the primary too, so a service that reads
then writes sees what it locked.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
_reading: ContextVar[bool] = ContextVar("civicgrid_replica_reads", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads():
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def replica_view(view):
    """Serve a read-only view's queries from the replica (its authentication was read before)."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapped


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if _reading.get() and configured() and not connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return REPLICA
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model, **hints):
        # Always the primary, even for an object read from the replica (Django would otherwise
        # write it back to the database it came from).
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
