"""The module registry: every module declares itself in `<module>/manifest.py`.

The core builds navigation, the role → permission table, dashboard widgets, exports and event
subscriptions from these declarations, without knowing the modules. One registry, visible here.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps


@dataclass(frozen=True)
class NavEntry:
    label: str  # a lazy translation
    url_name: str
    permission: str  # shown only to users holding it somewhere
    icon: str = ""
    order: int = 100
    # badge(user, upto=n) → a count shown beside the entry (0 hides it), counted no further than n.
    badge: Callable | None = None


@dataclass(frozen=True)
class Permission:
    code: str  # "<module>.<verb>"
    label: str
    roles: tuple[str, ...]  # roles that hold it


@dataclass(frozen=True)
class Widget:
    label: str
    template: str
    permission: str
    order: int = 100


@dataclass(frozen=True)
class Export:
    label: str
    url_name: str
    permission: str


@dataclass(frozen=True)
class TodaySection:
    """One part of a worker's "today" page: `context(user)` → dict for `template`, or None to hide it."""

    label: str
    template: str
    permission: str  # shown only to users holding it somewhere
    context: Callable
    order: int = 100


@dataclass(frozen=True)
class Sweep:
    """Periodic work on stored deadlines, run by `civicgrid sweep`: `run()` → {what: count}. Idempotent."""

    name: str
    run: Callable


@dataclass(frozen=True)
class PrintKind:
    """A PDF a module lays out in the background (civicgrid/prints): too long to make in a request.

    `check(user, params)` refuses at asking (raises), `make(user, params)` → (pdf bytes, rows, cut)
    runs in the worker in the asker's language, `filename(print)` names the download,
    `back(params)` is the address of the page the print was asked from, and `counted(n)` says what
    the print holds ("52 door plates").
    """

    name: str
    title: str  # a lazy translation: the print page's heading
    check: Callable
    make: Callable
    filename: Callable
    back: Callable
    counted: Callable


@dataclass(frozen=True)
class ObjectLink:
    """A link another module puts on an object's page (a household's visits): `url(obj)` → its address."""

    label: str
    permission: str  # shown where the user holds it at the object's place
    url: Callable
    primary: bool = False


@dataclass
class Manifest:
    name: str
    label: str
    nav: list[NavEntry] = field(default_factory=list)
    permissions: list[Permission] = field(default_factory=list)
    widgets: list[Widget] = field(default_factory=list)
    exports: list[Export] = field(default_factory=list)
    subscriptions: dict[str, list[Callable]] = field(default_factory=dict)
    today: list[TodaySection] = field(default_factory=list)
    # text code → lazy translation with %(name)s parameters, for notifications a module sends
    messages: dict[str, str] = field(default_factory=dict)
    sweeps: list[Sweep] = field(default_factory=list)
    # audit action prefix → the permission it takes to read those audit rows (on top of audit.view)
    restricted_audit: dict[str, str] = field(default_factory=dict)
    # object kind ("household") → links this module adds to that object's page
    links: dict[str, list[ObjectLink]] = field(default_factory=dict)
    prints: list[PrintKind] = field(default_factory=list)


_manifests: dict[str, Manifest] = {}
_subscribers: dict[str, list[Callable]] = defaultdict(list)


def writes_shared_rows(handler: Callable) -> Callable:
    """Mark a subscriber that writes rows nearly every transaction shares (a county's roll-up totals).

    Marked subscribers run after the others, so the shared rows stay locked only from their write to
    the commit, not through the other subscribers' work: otherwise concurrent intakes queue on them.
    """
    handler.writes_shared_rows = True
    return handler


def register(manifest: Manifest) -> Manifest:
    if manifest.name in _manifests:
        return _manifests[manifest.name]
    _manifests[manifest.name] = manifest
    for event, handlers in manifest.subscriptions.items():
        _subscribers[event].extend(handlers)
        _subscribers[event].sort(key=lambda h: getattr(h, "writes_shared_rows", False))  # stable
    return manifest


def autodiscover() -> None:
    for config in apps.get_app_configs():
        if not config.name.startswith("civicgrid."):
            continue
        try:
            importlib.import_module(f"{config.name}.manifest")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.manifest":
                raise


def manifests() -> list[Manifest]:
    return list(_manifests.values())


def nav_entries() -> list[NavEntry]:
    return sorted((e for m in _manifests.values() for e in m.nav), key=lambda e: e.order)


def widgets() -> list[Widget]:
    return sorted((w for m in _manifests.values() for w in m.widgets), key=lambda w: w.order)


def today_sections() -> list[TodaySection]:
    return sorted((t for m in _manifests.values() for t in m.today), key=lambda t: t.order)


def message_text(code: str) -> str | None:
    for manifest in _manifests.values():
        if code in manifest.messages:
            return manifest.messages[code]
    return None


def object_links(kind: str) -> list[ObjectLink]:
    return [link for m in _manifests.values() for link in m.links.get(kind, [])]


def restricted_audit() -> dict[str, str]:
    return {prefix: perm for m in _manifests.values() for prefix, perm in m.restricted_audit.items()}


def sweeps() -> list[Sweep]:
    return [s for m in _manifests.values() for s in m.sweeps]


def exports() -> list[Export]:
    return [e for m in _manifests.values() for e in m.exports]


def permissions() -> list[Permission]:
    return [p for m in _manifests.values() for p in m.permissions]


def role_permissions() -> dict[str, frozenset[str]]:
    table: dict[str, set[str]] = defaultdict(set)
    for perm in permissions():
        for role in perm.roles:
            table[role].add(perm.code)
    return {role: frozenset(codes) for role, codes in table.items()}


def publish(event: str, **payload) -> None:
    """Deliver a domain event to the subscribers declared in manifests, in the caller's transaction.

    Publish inside the transaction when subscribers must change with it or not at all (the roll-up on
    `case.changed`); through `transaction.on_commit` when they only react to what was committed.
    """
    for handler in _subscribers.get(event, []):
        handler(**payload)


def print_kind(name: str) -> PrintKind | None:
    return next((k for m in _manifests.values() for k in m.prints if k.name == name), None)
