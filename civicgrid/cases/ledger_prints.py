"""The printable ledger, a print made in the background (civicgrid/prints).

Laying out the ledger's rows in PDF takes some 40–50 rows a second, so the 2,000 a print may hold
take about a minute. The ledger page asks for a print of its filters; the worker lays it out with
`ledger.ledger_pdf`, which checks access again and audits the export.
"""

from __future__ import annotations

from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy, ngettext

from civicgrid import access
from civicgrid.cases import ledger, measures, selectors
from civicgrid.cases.measures_forms import LedgerForm, readable
from civicgrid.core.registry import PrintKind
from civicgrid.territory.models import Territory


def filters_of(user, data: dict) -> selectors.CaseFilters:
    """The ledger's filters from its form's readable fields; a place must be one the user sees."""
    territory = None
    if data.get("territory"):
        territory = access.get_for(
            user, Territory.objects.all(), measures.VIEW, field="path", pk=data["territory"]
        )
    return selectors.CaseFilters(
        q=data.get("q", ""),
        territory=territory,
        state=data.get("state", ""),
        category=data.get("category", ""),
        tier=data.get("tier", ""),
        channel=data.get("channel", ""),
        department=data.get("department"),
        received_from=data.get("received_from"),
        received_to=data.get("received_to"),
    )


def _filters(user, params: dict) -> selectors.CaseFilters:
    return filters_of(user, readable(LedgerForm(QueryDict(params.get("query", "")))))


def _check(user, params: dict) -> None:
    ledger.check_export(user, _filters(user, params))


def _make(user, params: dict) -> tuple[bytes, int, bool]:
    pdf, count = ledger.ledger_pdf(user, _filters(user, params))
    return pdf, count, count >= ledger.PDF_LIMIT


def _filename(made) -> str:
    return f"ledger-{timezone.localdate(made.created_at):%Y%m%d}-{made.pk}.pdf"


def _back(params: dict) -> str:
    query = params.get("query", "")
    return reverse("cases:ledger") + (f"?{query}" if query else "")


KIND = PrintKind(
    name="ledger",
    title=gettext_lazy("Printable ledger"),
    check=_check,
    make=_make,
    filename=_filename,
    back=_back,
    counted=lambda n: ngettext("%(n)s row", "%(n)s rows", n) % {"n": n},
)
