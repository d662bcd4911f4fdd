"""Exporting the registry to XLSX: masked personal data, formulas neutralised, streamed row by row."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from civicgrid.core import paths
from civicgrid.core.spreadsheet import neutralise
from civicgrid.registry import selectors
from civicgrid.territory.models import Territory


def _names_for(path: str, cache: dict) -> tuple[str, str]:
    """(community name, grid name) of a unit path, from a per-export cache."""
    wanted = paths.ancestors(path) + [path]
    missing = [p for p in wanted if p not in cache]
    if missing:
        for t in Territory.objects.filter(path__in=missing).only("path", "name", "level"):
            cache[t.path] = (t.level, t.name)
    community = next((cache[p][1] for p in wanted if p in cache and cache[p][0] == "community"), "")
    grid = next((cache[p][1] for p in wanted if p in cache and cache[p][0] == "grid"), "")
    return community, grid


def resident_workbook(user, filters: selectors.ListFilters) -> tuple[bytes, int]:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Residents"))
    sheet.append(
        [
            _("Community"),
            _("Grid"),
            _("House code"),
            _("Address"),
            _("Household number"),
            _("Relation to head"),
            pgettext("person", "Name"),
            _("Gender"),
            _("Birth date"),
            _("Ethnicity"),
            _("ID number"),
            _("Phone"),
            _("Residence type"),
            _("Relocation type"),
            _("Status"),
            _("Tags"),
        ]
    )
    names: dict = {}
    count = 0
    for r in selectors.resident_export_rows(user, filters):
        community, grid = _names_for(r.territory_path, names)
        household = r.household
        row = [
            community,
            grid,
            household.house.house_code if household else "",
            household.house.address if household else "",
            household.number if household else "",
            r.get_relation_display(),
            r.name,
            r.get_gender_display(),
            r.birth_date.isoformat(),
            r.ethnicity,
            str(r.id_number),
            str(r.phone),
            r.get_residence_type_display(),
            r.get_relocation_type_display() if r.relocation_type else "",
            r.get_status_display(),
            "、".join(str(t.tag) for t in r.taggings.all()),
        ]
        # ID numbers and phones go out as masked text; every cell is neutralised against formulas.
        sheet.append([neutralise(v) for v in row])
        count += 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), count
