"""The ledger (台账): the register of cases under the list's filters, exported to XLSX and PDF.

Rows come from `selectors.case_list_for`, read page by page on its keyset (a fixed cost per page,
whatever the table's size), and only where the user holds `cases.export`. Personal data goes out
masked: the reporter's phone as the protected field prints it, the name cut to its first character.
Every cell is neutralised against spreadsheet formulas. Each export is audited ("cases.export").
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.cases import selectors
from civicgrid.cases.models import Case, CaseAssignment
from civicgrid.core import clock, paths
from civicgrid.core.spreadsheet import neutralise
from civicgrid.territory.models import Territory

EXPORT = "cases.export"
XLSX_LIMIT = 100_000
PDF_LIMIT = 2_000  # WeasyPrint lays out some 50 rows a second here: a minute at most
PAGE = 1_000


def mask_name(name: str) -> str:
    """王小明 → 王**: enough to recognise a call-back, not enough to identify a stranger."""
    name = (name or "").strip()
    return name[:1] + "*" * (len(name) - 1) if name else ""


@dataclass
class LedgerRow:
    code: str
    received: str
    channel: str
    category: str
    urgency: str
    title: str
    community: str
    place: str
    address: str
    reporter: str
    phone: str
    tier: str
    state: str
    department: str
    responded: str
    resolved: str
    settled_tier: str
    on_the_spot: str
    rating: str

    def cells(self) -> list:
        return [neutralise(v) for v in self.__dict__.values()]


COLUMNS = {
    "code": gettext_lazy("Tracking code"),
    "received": gettext_lazy("Received"),
    "channel": gettext_lazy("Channel"),
    "category": gettext_lazy("Category"),
    "urgency": gettext_lazy("Urgency"),
    "title": gettext_lazy("Title"),
    "community": gettext_lazy("Community"),
    "place": gettext_lazy("Place"),
    "address": gettext_lazy("Address"),
    "reporter": gettext_lazy("Reporter"),
    "phone": gettext_lazy("Reporter's phone"),
    "tier": gettext_lazy("Tier"),
    "state": gettext_lazy("State"),
    "department": gettext_lazy("Department"),
    "responded": gettext_lazy("Responded"),
    "resolved": gettext_lazy("Resolved"),
    "settled_tier": gettext_lazy("Settled at"),
    "on_the_spot": gettext_lazy("On the spot"),
    "rating": gettext_lazy("Rating"),
}
# A printed page is narrower than a spreadsheet: the PDF leaves out what the XLSX also has.
PDF_COLUMNS = [c for c in COLUMNS if c not in ("urgency", "responded", "on_the_spot")]
# Percent of the page width per PDF column (the classes of ledger_pdf.html's <col>s), summing to 100.
PDF_WIDTHS = [9, 7, 5, 6, 11, 6, 6, 7, 4, 7, 4, 7, 6, 7, 4, 4]


def headers(columns=COLUMNS) -> list[str]:
    return [str(COLUMNS[c]) for c in columns]


def _local(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class _Names:
    """Community names of case places, looked up once per export."""

    def __init__(self):
        self.cache: dict[str, tuple[str, str]] = {}

    def community(self, path: str) -> str:
        wanted = [*paths.ancestors(path), path]
        missing = [p for p in wanted if p not in self.cache]
        if missing:
            for t in Territory.objects.filter(path__in=missing).only("path", "name", "level"):
                self.cache[t.path] = (t.level, t.name)
        return next((self.cache[p][1] for p in wanted if self.cache.get(p, ("",))[0] == "community"), "")


def _row(case: Case, names: _Names, departments: dict[int, str]) -> LedgerRow:
    yes = _("yes")
    return LedgerRow(
        code=case.code,
        received=_local(case.created_at),
        channel=case.get_channel_display(),
        category=str(case.category),
        urgency=case.get_urgency_display(),
        title=case.title,
        community=names.community(case.territory_path),
        place=case.territory.name,
        address=case.address,
        reporter=_("anonymous") if case.anonymous else mask_name(case.reporter_name),
        phone=str(case.reporter_phone),
        tier=case.get_tier_display(),
        state=case.get_state_display(),
        department=departments.get(case.pk, ""),
        responded=_local(case.responded_at),
        resolved=_local(case.resolved_at),
        settled_tier=case.get_settled_tier_display() if case.settled_tier else "",
        on_the_spot=yes if case.on_the_spot else "",
        rating=case.get_rating_display() if case.rating else "",
    )


def ledger_rows(user, filters: selectors.CaseFilters, *, limit: int) -> Iterator[LedgerRow]:
    """At most `limit` rows, newest first, of the cases the user may export under `filters`."""
    names = _Names()
    cursor, given = None, 0
    while given < limit:
        page = selectors.case_list_for(user, filters, cursor=cursor, size=min(PAGE, limit - given))
        cases = [c for c in page.rows if access.has_perm_at(user, EXPORT, c.territory_path)]
        leads = CaseAssignment.objects.filter(case__in=[c.pk for c in cases], lead=True).order_by("id")
        departments = dict(leads.values_list("case_id", "department__name"))  # the latest lead wins
        for case in cases:
            yield _row(case, names, departments)
        given += len(page.rows)
        if not page.has_more:
            return
        cursor = page.next_cursor


def check_export(user, filters: selectors.CaseFilters) -> None:
    if filters.territory is not None:
        access.check(user, EXPORT, filters.territory.path)
    elif not access.has_anywhere(user, EXPORT):
        raise PermissionDenied(_("You may not export the case ledger."))


def _title(filters: selectors.CaseFilters) -> str:
    place = filters.territory.name if filters.territory else _("all my places")
    days = ""
    if filters.received_from or filters.received_to:
        days = f" {filters.received_from or '…'} – {filters.received_to or '…'}"
    return _("Case ledger: %(place)s%(days)s") % {"place": place, "days": days}


def _audit(user, filters: selectors.CaseFilters, fmt: str, rows: int, cut: bool) -> None:
    audit_record(
        actor=user,
        action="cases.export",
        obj=user,
        territory_path=filters.territory.path if filters.territory else "",
        summary={
            "format": fmt,
            "rows": rows,
            "cut": cut,
            "state": filters.state,
            "category": filters.category,
            "tier": filters.tier,
            "channel": filters.channel,
            "from": filters.received_from,
            "to": filters.received_to,
        },
    )


def ledger_xlsx(user, filters: selectors.CaseFilters, *, limit: int = XLSX_LIMIT):
    """(file, rows): an XLSX of the ledger in a temporary file, written row by row (write-only mode)."""
    from openpyxl import Workbook

    check_export(user, filters)
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Ledger"))
    sheet.append([neutralise(_title(filters))])
    sheet.append([_("Exported by %(user)s at %(at)s") % {"user": user, "at": _local(clock.now())}])
    sheet.append(headers())
    count = 0
    for row in ledger_rows(user, filters, limit=limit + 1):
        if count == limit:
            sheet.append([_("Cut at %(n)s rows: narrow the filters to export the rest.") % {"n": limit}])
            break
        sheet.append(row.cells())
        count += 1
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - handed to the response
    book.save(out)
    out.seek(0)
    _audit(user, filters, "xlsx", count, count == limit)
    return out, count


def ledger_pdf(user, filters: selectors.CaseFilters, *, limit: int = PDF_LIMIT) -> tuple[bytes, int]:
    """(bytes, rows): the ledger as a printable A4 landscape PDF; Chinese set in Noto Sans CJK SC."""
    from weasyprint import HTML

    check_export(user, filters)
    rows = list(ledger_rows(user, filters, limit=limit + 1))
    cut = len(rows) > limit
    rows = rows[:limit]
    html = render_to_string(
        "cases/measures/ledger_pdf.html",
        {
            "title": _title(filters),
            "headers": headers(PDF_COLUMNS),
            "widths": PDF_WIDTHS,
            "rows": [[getattr(r, c) for c in PDF_COLUMNS] for r in rows],
            "count": len(rows),
            "cut": cut,
            "limit": limit,
            "user": user,
            "at": _local(clock.now()),
        },
    )
    pdf = HTML(string=html).write_pdf()
    _audit(user, filters, "pdf", len(rows), cut)
    return pdf, len(rows)
