"""Background work of the cases module. Thin: call the service, done."""

from __future__ import annotations

from django.tasks import task

from civicgrid.cases import ledger_prints


@task()
def ledger_print_task(print_id: int) -> None:
    ledger_prints.print_make(print_id)
