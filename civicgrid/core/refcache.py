"""Reference lists that many pages show and that rarely change, kept in each process between requests.

The filter forms of the busiest pages list places, categories and departments: a few hundred rows
read and turned into options on every request, more work than the page's own rows. Those lists
change when an administrator edits the tree, the catalogue or the departments, which is rare.

So each process keeps the built lists, keyed by what they depend on (the caller says: a user's
scope roots, say) and by the reader's language, under one shared *generation* held in the cache
(Redis on several machines, a file on one). A save or delete of any watched model, or a service
that changes such rows in bulk (`changed()`), starts a new generation when its transaction
commits, so every process rebuilds on its next request; the process that made the change rebuilds
at once. A lost cache entry only costs a rebuild.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

GENERATION_KEY = "civicgrid:refcache:generation"
SIZE = 512  # built values per name and process; one per distinct scope and language in use

_lock = threading.Lock()
# One bounded table per name, so values kept by the thousand (a place's ancestors) never push out
# the few large lists of the busiest pages.
_built: dict[str, OrderedDict[tuple, Any]] = {}
_changes_here = 0  # changes made in this process, seen here at once, before any commit
_request = threading.local()  # the generation as this thread's current request first read it


def generation() -> str:
    """The shared generation, read from the cache once per request (a page asks for several lists;
    Redis would be a round trip each). Outside a request (workers, the sweep) it is read each time."""
    seen = getattr(_request, "generation", None)
    if seen is not None:
        return seen
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = uuid.uuid4().hex
        if not cache.add(GENERATION_KEY, value, timeout=None):
            value = cache.get(GENERATION_KEY) or value
    if getattr(_request, "active", False):
        _request.generation = value
    return value


def _request_started(**kwargs) -> None:
    _request.active, _request.generation = True, None


def _request_finished(**kwargs) -> None:
    _request.active, _request.generation = False, None


request_started.connect(_request_started, dispatch_uid="refcache-request-started")
request_finished.connect(_request_finished, dispatch_uid="refcache-request-finished")


def remember(name: str, parts: Hashable, build: Callable[[], Any], *, size: int = SIZE) -> Any:
    """`build()`'s result for (name, parts, language), built once a generation in this process.

    The result is shared between requests and threads: return immutable values (tuples, strings,
    mapping proxies). `size` bounds how many values of this name a process keeps.
    """
    key = (parts, get_language(), generation(), _changes_here)
    with _lock:
        table = _built.setdefault(name, OrderedDict())
        if key in table:
            table.move_to_end(key)
            return table[key]
    value = build()
    with _lock:
        table[key] = value
        while len(table) > size:
            table.popitem(last=False)
    return value


def _new_generation() -> None:
    _request.generation = None
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def changed() -> None:
    """Rebuild here from now on, and everywhere once the current transaction commits.

    This process sees the change at once (the request that made it, and tests, which never commit);
    the shared generation moves once per transaction (loading a tree saves thousands of places).
    """
    global _changes_here
    with _lock:
        _changes_here += 1
    connection = transaction.get_connection()
    if any(func is _new_generation for _sids, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(_new_generation)


def forget() -> None:
    """Drop this process's lists (tests, which roll back rows that no signal reports)."""
    with _lock:
        _built.clear()
    _request.generation = None
    cache.delete(GENERATION_KEY)


def _on_change(sender, **kwargs) -> None:
    changed()


def watch(*models) -> None:
    """Rows of these models feed reference lists: any change to one starts a new generation."""
    for model in models:
        uid = f"refcache:{model._meta.label}"
        post_save.connect(_on_change, sender=model, dispatch_uid=uid + ":save", weak=False)
        post_delete.connect(_on_change, sender=model, dispatch_uid=uid + ":delete", weak=False)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                _on_change, sender=field.remote_field.through, dispatch_uid=f"{uid}:{field.name}", weak=False
            )
