"""Background work of the registry. Thin: load, call the importing service, done."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.tasks import task

from civicgrid.registry import importing
from civicgrid.registry.models import ImportJob


@task()
def import_check_task(job_id: int) -> None:
    importing.import_check(ImportJob.objects.get(pk=job_id))


@task()
def import_run_task(job_id: int, actor_id: int) -> None:
    importing.import_run(ImportJob.objects.get(pk=job_id), get_user_model().objects.get(pk=actor_id))
