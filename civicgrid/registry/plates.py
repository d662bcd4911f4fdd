"""Door plates (门牌): printable A4 sheets for a unit or a grid, eight plates a page with cut marks.

Each plate carries the QR code of its house's portal page (`/p/<house code>/`, under the public base
URL `CIVICGRID_PUBLIC_URL`), the house code, the address and the place names, with its fixed texts
in both languages. A plate holds nothing personal: what it shows is on the house's portal page too.
"""

from __future__ import annotations

from dataclasses import dataclass

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, paths
from civicgrid.core.errors import ApplicationError
from civicgrid.core.registry import PrintKind
from civicgrid.registry.models import House
from civicgrid.territory.models import Level, Territory

PRINT = "registry.edit"
PLATES_PER_PAGE = 8
# WeasyPrint lays out some 15 plates a second here: the largest sheet takes under a minute.
PLATE_LIMIT = 600
LEVELS = (Level.GRID, Level.UNIT)


def public_base_url(request=None) -> str:
    """Where residents reach the portal from outside: the setting, else the address of this request.

    Staff often print from an intranet address that a resident's phone cannot open, so a deployment
    sets CIVICGRID_PUBLIC_URL; the request's own address is a fallback for a single-address install.
    """
    configured = settings.CIVICGRID_PUBLIC_URL.strip().rstrip("/")
    if configured:
        return configured
    if request is not None:
        return request.build_absolute_uri("/").rstrip("/")
    return "http://localhost:8000"


def house_url(base: str, house_code: str) -> str:
    return base + reverse("portal:house", args=[house_code])


def qr_code(url: str) -> segno.QRCode:
    # Level M survives a scuffed or rained-on plate; the URL stays short enough for a small symbol.
    return segno.make(url, error="m", micro=False)


@dataclass
class Plate:
    house_code: str
    address: str
    places: str  # community · grid · unit
    url: str
    qr: str  # an SVG data URI


def places_for(user, limit: int = 500) -> list[Territory]:
    """Grids and units where the user may print plates, labelled with their parents."""
    qs = Territory.objects.filter(level__in=LEVELS, retired_at__isnull=True).select_related("parent")
    nodes = list(access.scope(user, qs, PRINT, field="path").order_by("path")[:limit])
    for node in nodes:
        node.label = f"{node.parent.name} · {node.name}" if node.parent_id else node.name
    return nodes


def _houses(user, territory: Territory):
    if territory.level not in LEVELS:
        raise ApplicationError(_("Door plates are printed for a grid or a unit."), field="territory")
    access.check(user, PRINT, territory.path)
    qs = access.scope(user, House.objects.filter(paths.subtree_q("territory_path", territory.path)), PRINT)
    return qs.select_related("unit__parent__parent").order_by("territory_path", "house_code")


def _sheet(user, territory: Territory, limit: int):
    """The houses of one sheet and their number; refused past `limit`, naming the count."""
    houses = _houses(user, territory)
    count = houses.count()
    if count > limit:
        raise ApplicationError(
            _("%(place)s has %(n)s houses, more than one sheet holds (%(limit)s): print it unit by unit.")
            % {"place": territory.name, "n": count, "limit": limit},
            field="territory",
            code="too_many",
        )
    return houses, count


def _places(unit: Territory) -> str:
    """Community · grid · unit, from the parents selected with the house (no query per plate)."""
    chain, node = [], unit
    for _level in (Level.UNIT, Level.GRID, Level.COMMUNITY):
        if node is None:
            break
        chain.append(node.name)
        node = node.parent if node.parent_id and node.level != Level.COMMUNITY else None
    return " · ".join(reversed(chain))


def plates_pdf(user, territory: Territory, *, base_url: str, limit: int = PLATE_LIMIT) -> tuple[bytes, int]:
    """(bytes, plates): the sheet for every house under `territory`. Refused past `limit` houses,
    with a message naming the count, so a too-big grid is printed unit by unit.
    """
    from weasyprint import HTML

    houses, count = _sheet(user, territory, limit)
    plates = []
    for house in houses.iterator(chunk_size=200):
        url = house_url(base_url, house.house_code)
        plates.append(
            Plate(
                house_code=house.house_code,
                address=house.address,
                places=_places(house.unit),
                url=url,
                qr=qr_code(url).svg_data_uri(border=0, dark="#000", light="#fff"),
            )
        )
    pages = [plates[i : i + PLATES_PER_PAGE] for i in range(0, len(plates), PLATES_PER_PAGE)]
    # The plate's fixed words are printed in both languages whatever the page language.
    with translation.override("zh-hans"):
        zh = _plate_words()
    with translation.override("en"):
        en = _plate_words()
    html = render_to_string(
        "registry/plates_pdf.html",
        {"pages": pages, "zh": zh, "en": en, "territory": territory, "at": clock.now(), "count": count},
    )
    pdf = HTML(string=html).write_pdf()
    audit_record(
        actor=user,
        action="registry.plates",
        obj=territory,
        territory_path=territory.path,
        summary={"plates": count},
    )
    return pdf, count


def _plate_words() -> dict[str, str]:
    return {
        "plate": _("Door plate"),
        "scan": _("Scan to register your household or report a problem"),
        "code": _("House code"),
    }


# --- The sheet as a print made in the background (civicgrid/prints): 600 plates take about 40 s.


def _place(user, params: dict) -> Territory:
    return access.get_for(user, Territory.objects.all(), PRINT, field="path", pk=params["territory"])


def _check(user, params: dict) -> None:
    _sheet(user, _place(user, params), PLATE_LIMIT)


def _make(user, params: dict) -> tuple[bytes, int, bool]:
    pdf, count = plates_pdf(user, _place(user, params), base_url=params["base_url"])
    return pdf, count, False


def print_params(territory: Territory, base_url: str) -> dict:
    return {"territory": territory.pk, "code": territory.code, "base_url": base_url}


KIND = PrintKind(
    name="door_plates",
    title=gettext_lazy("Door plates"),
    check=_check,
    make=_make,
    filename=lambda made: f"door-plates-{made.params.get('code', made.pk)}.pdf",
    back=lambda params: reverse("registry:plates"),
    counted=lambda n: ngettext("%(n)s door plate", "%(n)s door plates", n) % {"n": n},
)
