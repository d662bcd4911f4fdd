"""The printable ledger, made in the background and fetched by whoever asked for it.

Laying out the ledger's rows in PDF takes some 40–50 rows a second, so the 2,000 a print may hold
take about a minute: longer than a request should wait, and past a server's usual timeout. The page
asks for a print and follows its progress; the worker lays it out (`ledger.ledger_pdf`, which
audits the export); the file is kept a day for its requester alone, then the sweep deletes it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.http import Http404, QueryDict
from django.utils import translation
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.cases import ledger, measures, selectors
from civicgrid.cases.measures_forms import LedgerForm, readable
from civicgrid.cases.models import LedgerPrint, PrintStatus
from civicgrid.core import clock
from civicgrid.territory.models import Territory

log = logging.getLogger(__name__)
KEPT = dt.timedelta(days=1)
# A print still running this long after its worker last touched it lost that worker (a restart, a
# killed process): the page would wait for it forever. A print takes about a minute.
STALLED = dt.timedelta(minutes=15)


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


def _filters_of_query(user, query: str) -> selectors.CaseFilters:
    return filters_of(user, readable(LedgerForm(QueryDict(query))))


@transaction.atomic
def print_request(*, user, query: str) -> LedgerPrint:
    from civicgrid.cases.tasks import ledger_print_task

    ledger.check_export(user, _filters_of_query(user, query))  # refused now, not in the worker
    made = LedgerPrint.objects.create(
        requested_by=user, query=query[:2000], language=translation.get_language() or ""
    )
    audit_record(actor=user, action="cases.ledger_print", obj=made, summary={"query": made.query})
    ledger_print_task.enqueue(made.pk)  # its row commits with this one: the worker finds the print
    return made


def print_make(print_id: int) -> None:
    """The worker's part. Claimed by a conditional UPDATE, so two workers never lay out one print."""
    if not LedgerPrint.objects.filter(pk=print_id, status=PrintStatus.QUEUED).update(
        status=PrintStatus.RUNNING, updated_at=clock.now()
    ):
        return
    made = LedgerPrint.objects.select_related("requested_by").get(pk=print_id)
    try:
        # Checked again here: the requester may have lost the place since asking.
        with translation.override(made.language or None):
            pdf, count = ledger.ledger_pdf(
                made.requested_by, _filters_of_query(made.requested_by, made.query)
            )
    except Exception as exc:  # the page says it failed; the log keeps why
        log.exception("ledger print %s failed", print_id)
        made.status, made.message = (
            PrintStatus.FAILED,
            _("The print could not be made: %(why)s") % {"why": exc},
        )
    else:
        made.status, made.pdf, made.rows, made.cut = PrintStatus.DONE, pdf, count, count >= ledger.PDF_LIMIT
    made.finished_at = made.updated_at = clock.now()
    made.save(update_fields=["status", "pdf", "rows", "cut", "message", "finished_at", "updated_at"])


def print_get_for(user, pk: int) -> LedgerPrint:
    """One of the user's own prints of the last day; anyone else's does not exist."""
    found = (
        LedgerPrint.objects.filter(pk=pk, requested_by=user, created_at__gte=clock.now() - KEPT)
        .defer("pdf")
        .first()
    )
    if found is None:
        raise Http404
    return found


def print_file_for(user, pk: int) -> LedgerPrint:
    found = print_get_for(user, pk)
    if found.status != PrintStatus.DONE:
        raise Http404
    found.refresh_from_db(fields=["pdf"])
    audit_record(actor=user, action="cases.ledger_print_fetch", obj=found, summary={"rows": found.rows})
    return found


def sweep(*, now=None) -> dict:
    """The sweep's part: prints past their day are deleted, and prints whose worker was lost fail."""
    now = now or clock.now()
    expired = list(LedgerPrint.objects.filter(created_at__lt=now - KEPT).defer("pdf")[:500])
    for made in expired:
        audit_record(actor=None, action="cases.ledger_print_expired", obj=made, summary={"rows": made.rows})
    LedgerPrint.objects.filter(pk__in=[made.pk for made in expired]).delete()
    stalled = 0
    lost = LedgerPrint.objects.filter(status=PrintStatus.RUNNING, updated_at__lt=now - STALLED).defer("pdf")
    for made in lost:
        with translation.override(made.language or None):
            message = _("The print was interrupted. Ask for it again.")
        # Conditional, as the worker's claim: a print that finished meanwhile keeps its file.
        if LedgerPrint.objects.filter(pk=made.pk, status=PrintStatus.RUNNING).update(
            status=PrintStatus.FAILED, message=message, finished_at=now, updated_at=now
        ):
            audit_record(actor=None, action="cases.ledger_print_failed", obj=made, summary={"why": "stalled"})
            stalled += 1
    return {"ledger prints removed": len(expired), "ledger prints interrupted": stalled}
