"""PDFs made in the background and fetched by whoever asked for them.

Laying out a ledger of 2,000 rows, or a sheet of 600 door plates, takes up to a minute: longer than a
request should wait, and past a server's usual timeout. The module that owns the document declares
a `PrintKind` in its manifest (what it checks, how it lays the PDF out); the page asks for a print
and follows its progress; the worker lays it out in the asker's language; the file is kept a day for
its requester alone, then the sweep deletes it. Every step is audited.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.http import Http404
from django.utils import translation
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, registry
from civicgrid.prints.models import Print, PrintStatus

log = logging.getLogger(__name__)
KEPT = dt.timedelta(days=1)
# A print still running this long after its worker last touched it lost that worker (a restart, a
# killed process): the page would wait for it forever. A print takes at most about a minute.
STALLED = dt.timedelta(minutes=15)


def kind_of(made: Print) -> registry.PrintKind:
    kind = registry.print_kind(made.kind)
    if kind is None:  # pragma: no cover - a module that declared it was removed
        raise Http404
    return kind


@transaction.atomic
def print_request(*, user, kind: str, params: dict) -> Print:
    """Queue a print of `kind`; refused now (the kind's check raises), not later in the worker."""
    from civicgrid.prints.tasks import print_make_task

    declared = registry.print_kind(kind)
    if declared is None:
        raise ValueError(f"no manifest declares the print kind {kind!r}")
    declared.check(user, params)
    made = Print.objects.create(
        kind=kind, requested_by=user, params=params, language=translation.get_language() or ""
    )
    audit_record(actor=user, action="prints.request", obj=made, summary={"kind": kind, **params})
    print_make_task.enqueue(made.pk)  # its row commits with this one: the worker finds the print
    return made


def print_make(print_id: int) -> None:
    """The worker's part. Claimed by a conditional UPDATE, so two workers never lay out one print."""
    if not Print.objects.filter(pk=print_id, status=PrintStatus.QUEUED).update(
        status=PrintStatus.RUNNING, updated_at=clock.now()
    ):
        return
    made = Print.objects.select_related("requested_by").get(pk=print_id)
    try:
        # Checked again inside `make`: the requester may have lost the place since asking.
        with translation.override(made.language or None):
            pdf, rows, cut = kind_of(made).make(made.requested_by, made.params)
    except Exception as exc:  # the page says it failed; the log keeps why
        log.exception("print %s (%s) failed", print_id, made.kind)
        with translation.override(made.language or None):
            made.message = _("The print could not be made: %(why)s") % {"why": exc}
        made.status = PrintStatus.FAILED
    else:
        made.status, made.pdf, made.rows, made.cut = PrintStatus.DONE, pdf, rows, cut
    made.finished_at = made.updated_at = clock.now()
    made.save(update_fields=["status", "pdf", "rows", "cut", "message", "finished_at", "updated_at"])


def print_get_for(user, pk: int) -> Print:
    """One of the user's own prints of the last day; anyone else's does not exist."""
    found = (
        access.own(user, Print.objects.filter(pk=pk, created_at__gte=clock.now() - KEPT), "requested_by")
        .defer("pdf")
        .first()
    )
    if found is None:
        raise Http404
    return found


def print_file_for(user, pk: int) -> Print:
    found = print_get_for(user, pk)
    if found.status != PrintStatus.DONE:
        raise Http404
    found.refresh_from_db(fields=["pdf"])
    audit_record(
        actor=user, action="prints.fetch", obj=found, summary={"kind": found.kind, "rows": found.rows}
    )
    return found


def sweep(*, now=None) -> dict:
    """The sweep's part: prints past their day are deleted, and prints whose worker was lost fail."""
    now = now or clock.now()
    expired = list(Print.objects.filter(created_at__lt=now - KEPT).defer("pdf")[:500])
    for made in expired:
        audit_record(actor=None, action="prints.expired", obj=made, summary={"kind": made.kind})
    Print.objects.filter(pk__in=[made.pk for made in expired]).delete()
    stalled = 0
    for made in Print.objects.filter(status=PrintStatus.RUNNING, updated_at__lt=now - STALLED).defer("pdf"):
        with translation.override(made.language or None):
            message = _("The print was interrupted. Ask for it again.")
        # Conditional, as the worker's claim: a print that finished meanwhile keeps its file.
        if Print.objects.filter(pk=made.pk, status=PrintStatus.RUNNING).update(
            status=PrintStatus.FAILED, message=message, finished_at=now, updated_at=now
        ):
            audit_record(actor=None, action="prints.failed", obj=made, summary={"why": "stalled"})
            stalled += 1
    return {"prints removed": len(expired), "prints interrupted": stalled}
