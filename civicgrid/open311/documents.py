"""What each GeoReport v2 document says: our categories and cases, mapped to the spec's fields.

The mapping, and what is kept back from the public, is explained in docs/open311.md. In short: the
reporter (name, phone, account, email, device) never appears; the description and the exact place
appear only for requests whose reporter was told they are public (sent by an Open311 client, or
through the resident portal, which warns), never for anonymous ones; every other request shows its
category, status and the grid it lies in, placed at the centre of that grid.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases import limits
from civicgrid.cases.models import OPEN_STATES, Case, Category, Channel, State, Tier
from civicgrid.open311.formats import w3
from civicgrid.open311.selectors import Place, PublicRequest

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
FORMATS = ["application/json", "text/xml"]
PUBLIC_TEXT_CHANNELS = frozenset({Channel.OPEN311, Channel.PORTAL})
# A submitted media_url travels at the end of the description (cases have no field for a link).
MEDIA_MARK = "\n\nmedia_url: "


def discovery(*, endpoint: str, changeset: dt.datetime | None, contact: str, key_service: str) -> dict:
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": endpoint,
                "changeset": changeset,
                "type": "production",
                "formats": FORMATS,
            }
        ],
    }


def service(category: Category) -> dict:
    names = [category.name_zh, category.name_en]
    if category.parent is not None:
        names += [category.parent.name_zh, category.parent.name_en]
    limit = limits.limits_for(category, category.default_urgency)
    return {
        "service_code": category.code,
        "service_name": str(category),
        "description": _(
            "Handled first at the %(tier)s tier: a response within %(hours)s hours, "
            "settled within %(days)s working days."
        )
        % {
            "tier": Tier(category.start_tier).label,
            "hours": limit["respond_hours"],
            "days": limit["resolve_days"],
        },
        "metadata": False,  # no category asks for extra fields
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(n for n in names if n)),
        "group": str(category.parent or category),
    }


def definition(category: Category) -> dict:
    return {"service_code": category.code, "attributes": []}


def with_media(description: str, media_url: str) -> str:
    return f"{description}{MEDIA_MARK}{media_url}" if media_url else description


def split_media(description: str) -> tuple[str, str | None]:
    text, mark, url = description.rpartition(MEDIA_MARK)
    if mark and url.startswith(("http://", "https://")) and "\n" not in url:
        return text, url
    return description, None


def _day(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _status_notes(row: PublicRequest) -> str:
    tier = Tier(row.tier).label
    if row.state == State.MERGED:
        return _("Merged into request %(id)s, which goes on for both.") % {"id": row.merged_into_id}
    if row.state == State.RESOLVED:
        return _("Resolved at the %(tier)s tier; waiting for the reporter's rating.") % {"tier": tier}
    if row.state == State.CLOSED:
        return _("Resolved and closed.")
    if row.state == State.HANDLING:
        return _("Being handled at the %(tier)s tier.") % {"tier": tier}
    return _("Received at the %(tier)s tier.") % {"tier": tier}


def _approximate(places: list[Place]) -> tuple[list[Place], tuple[float, float] | None]:
    """Places from the grid up (a unit can be a single building), and the centre of the first one."""
    broad = [p for p in places if p.level != "unit"] or places
    centre = next((p.centre for p in broad if p.centre is not None), None)
    return broad, centre


def request(row: PublicRequest) -> dict:
    shown = row.channel in PUBLIC_TEXT_CHANNELS and not row.anonymous
    broad, centre = _approximate(row.places)
    description, media_url = split_media(row.description) if shown else (None, None)
    # A house is a household's home: its code opens the door plate's page, which names the address
    # down to the room, and its point is its building. So neither is published, nor the house's
    # address that the case took when none was typed; an address typed by the reporter is.
    typed = row.address if row.address and row.address != row.house_address else ""
    address = typed if shown else ""
    point = None
    if shown and row.lon is not None and row.lat is not None:
        point = (row.lon, row.lat)
    point = point or centre
    is_open = row.state in OPEN_STATES
    notice = None
    if is_open:
        notice = _("Handled at the %(tier)s tier by %(agency)s.") % {
            "tier": Tier(row.tier).label,
            "agency": row.agency,
        }
        if row.expected is not None:
            notice += " " + _("To be settled by %(date)s.") % {"date": _day(row.expected)}
    resolved = row.state in (State.RESOLVED, State.CLOSED)
    return {
        "service_request_id": str(row.id),
        "status": "open" if is_open else "closed",
        "status_notes": _status_notes(row),
        "service_name": str(row.category),
        "service_code": row.category.code,
        "description": description,
        "agency_responsible": row.agency or None,
        "service_notice": notice,
        "requested_datetime": w3(row.created_at),
        "updated_datetime": w3((row.resolved_at if resolved else None) or row.updated_at),
        "expected_datetime": w3(row.expected),
        "address": address or ", ".join(p.name for p in broad) or None,
        "address_id": None,
        "zipcode": None,
        "lat": round(point[1], 6) if point else None,
        "long": round(point[0], 6) if point else None,
        "media_url": media_url,
    }


def created(case: Case, *, respond_by: dt.datetime | None) -> dict:
    notice = _("Received. Track it in the resident portal with code %(code)s.") % {"code": case.code}
    if respond_by is not None:
        notice += " " + _("The %(tier)s tier responds by %(date)s.") % {
            "tier": Tier(case.tier).label,
            "date": _day(respond_by),
        }
    # The answer goes to the submitting client alone, so its own account_id comes back to it.
    account_id = case.external_id or None
    return {"service_request_id": str(case.pk), "service_notice": notice, "account_id": account_id}
