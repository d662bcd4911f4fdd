"""The public reads of Open311: the service list and the service requests anyone may query.

GeoReport v2 makes these reads public (no api_key), so nothing here takes a user and nothing is
scoped by one: what is public is decided by data instead. Only categories marked `public` are
services, and only cases in those categories are service requests. Which fields of a case are shown
is decided in `documents.py`. Each list is three queries, whatever its length.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.db.migrations.recorder import MigrationRecorder
from django.db.models import F, OuterRef, Subquery

from civicgrid.audit.models import AuditEvent
from civicgrid.cases import workflow
from civicgrid.cases.models import (
    OPEN_STATES,
    Case,
    CaseAssignment,
    Category,
    Deadline,
    DeadlineKind,
    State,
)
from civicgrid.cases.selectors import categories_public
from civicgrid.core import paths
from civicgrid.registry.models import House
from civicgrid.territory.models import Territory

CATALOGUE_MIGRATION = "0002_default_categories"
MAX_RESULTS = 1000  # the spec's "first 1000 requests"
WINDOW = dt.timedelta(days=90)  # the spec's default and widest date range

STATUS_STATES = {
    "open": tuple(OPEN_STATES),
    # The spec's "closed" means resolved; a merged duplicate is settled with the case it joined.
    "closed": (State.RESOLVED, State.CLOSED, State.MERGED),
}


@dataclass
class RequestFilters:
    ids: list[int] | None = None  # when given, overrides every other filter
    service_codes: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: list[str] = field(default_factory=list)


@dataclass
class Place:
    name: str
    level: str
    centre: tuple[float, float] | None  # (lon, lat) of the bounding box, when the node has a boundary


@dataclass
class PublicRequest:
    """The fields of a case that documents.py may show, and nothing else (no reporter field at all)."""

    id: int
    created_at: dt.datetime
    updated_at: dt.datetime
    resolved_at: dt.datetime | None
    channel: str
    anonymous: bool
    description: str
    address: str
    lon: float | None
    lat: float | None
    tier: str
    state: str
    merged_into_id: int | None
    house_address: str | None  # only to tell an address typed by the reporter from the house's own
    category: Category
    agency: str
    places: list[Place]  # the case's node first, then its ancestors up to the root
    expected: dt.datetime | None  # the open resolution limit


def services() -> list[Category]:
    return categories_public()


def service_get(code: str) -> Category | None:
    return next((c for c in categories_public() if c.code == code), None)


def catalogue_changeset() -> dt.datetime | None:
    """When the category catalogue (our services and their definitions) last changed on this server:
    the latest audited edit of a category, or else when the default catalogue was installed.
    """
    edited = (
        AuditEvent.objects.filter(object_type=Category._meta.label_lower)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    installed = (
        MigrationRecorder.Migration.objects.filter(app="cases", name=CATALOGUE_MIGRATION)
        .values_list("applied", flat=True)
        .first()
    )
    return max((t for t in (edited, installed) if t is not None), default=None)


def house_by_code(code: str) -> House | None:
    """A house by the code on its door plate (the Open311 `address_id`)."""
    code = (code or "").strip().upper()
    return House.objects.select_related("unit").filter(house_code=code).first() if code else None


CASE_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "resolved_at",
    "channel",
    "anonymous",
    "description",
    "address",
    "lon",
    "lat",
    "tier",
    "state",
    "merged_into_id",
)


def _public_rows():
    """Value rows, not model instances: a thousand of them cost a fraction of the time."""
    lead = CaseAssignment.objects.filter(case=OuterRef("pk"), active=True, lead=True)
    resolve_by = Deadline.objects.filter(
        case=OuterRef("pk"), kind=DeadlineKind.RESOLVE, met_at__isnull=True, cancelled_at__isnull=True
    ).order_by("due_at")
    return Case.objects.filter(category__public=True).values(
        *CASE_FIELDS,
        "category_id",
        "territory_path",
        house_address=F("house__address"),
        lead_department=Subquery(lead.values("department__name")[:1]),
        resolve_by=Subquery(resolve_by.values("due_at")[:1]),
    )


def request_list(filters: RequestFilters) -> list[PublicRequest]:
    qs = _public_rows()
    if filters.ids is not None:
        qs = qs.filter(pk__in=filters.ids)
    else:
        if filters.start is not None:
            qs = qs.filter(created_at__gte=filters.start)
        if filters.end is not None:
            qs = qs.filter(created_at__lte=filters.end)
        if filters.service_codes:
            qs = qs.filter(category__code__in=filters.service_codes)
        if filters.statuses:
            states = [s for status in filters.statuses for s in STATUS_STATES[status]]
            qs = qs.filter(state__in=states)
    # Newest first by id, which follows submission: the primary key index walks backwards and stops
    # at the limit, so the default 90-day window costs the same on a table of any size.
    return _annotated(list(qs.order_by("-id")[:MAX_RESULTS]))


# A public id is a number in ASCII digits, as we write it; "0405", "٤٠٥" or "²" are not ids of ours,
# and one past a 64-bit integer names nothing.
_PUBLIC_ID = re.compile(r"^[1-9][0-9]{0,17}$")


def public_id(raw: str) -> int | None:
    raw = raw.strip()
    return int(raw) if _PUBLIC_ID.match(raw) else None


def request_get(raw_id: str) -> PublicRequest | None:
    pk = public_id(raw_id)
    if pk is None:
        return None
    rows = _annotated(list(_public_rows().filter(pk=pk)))
    return rows[0] if rows else None


def _annotated(rows: list[dict]) -> list[PublicRequest]:
    """Each row with its category, responsible body and place names: three queries in all."""
    if not rows:
        return []
    # A few dozen categories, and a few nodes per grid: fetched once each, shared by every row.
    categories = {c.pk: c for c in Category.objects.select_related("parent")}
    wanted = {p for r in rows for p in [*paths.ancestors(r["territory_path"]), r["territory_path"]]}
    nodes = {
        row["path"]: row
        for row in Territory.objects.filter(path__in=wanted).values(
            "path", "level", "name", "min_lon", "min_lat", "max_lon", "max_lat"
        )
    }
    places = {path: _place(row) for path, row in nodes.items()}
    levels = {path: row["level"] for path, row in nodes.items()}
    chains: dict[str, list[Place]] = {}
    acting: dict[tuple[str, str], str] = {}
    out = []
    for r in rows:
        path, tier = r["territory_path"], r["tier"]
        if path not in chains:
            chain = [*paths.ancestors(path), path][::-1]
            chains[path] = [places[p] for p in chain if p in places]
        if (path, tier) not in acting:
            node = nodes.get(workflow.tier_path(path, tier, levels), {})
            acting[path, tier] = node.get("name", "")
        out.append(
            PublicRequest(
                **{name: r[name] for name in CASE_FIELDS},
                house_address=r["house_address"],
                category=categories[r["category_id"]],
                agency=r["lead_department"] or acting[path, tier],
                places=chains[path],
                expected=r["resolve_by"] if r["state"] in OPEN_STATES else None,
            )
        )
    return out


def _place(row: dict) -> Place:
    box = (row["min_lon"], row["min_lat"], row["max_lon"], row["max_lat"])
    centre = None
    if None not in box:
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    return Place(name=row["name"], level=row["level"], centre=centre)
