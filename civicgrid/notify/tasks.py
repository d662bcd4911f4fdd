"""Background work of notifications: the outbound sending, queued once the case change has committed."""

from __future__ import annotations

from django.tasks import task

from civicgrid.notify import services


@task()
def notification_deliver_task(notification_ids: list[int]) -> None:
    services.notification_deliver(notification_ids=notification_ids)
