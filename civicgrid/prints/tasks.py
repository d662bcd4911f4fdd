"""Background work of the prints module. Thin: call the service, done."""

from __future__ import annotations

from django.tasks import task

from civicgrid.prints import services


@task()
def print_make_task(print_id: int) -> None:
    services.print_make(print_id)
