"""The weekly reminder: from the configured weekday on, each member with contact households not yet
contacted this week is reminded once.

The reminder row (member, week) is unique. It is written in the same transaction as the notification,
inside a savepoint: two sweeps racing on PostgreSQL queue on the unique index and the second gets an
IntegrityError and skips; on SQLite writes are serialised. A rolled-back sweep leaves neither behind.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse

from civicgrid.core import clock
from civicgrid.notify.services import notify_users
from civicgrid.partywork.models import ContactLog, ContactPairing, ContactReminder
from civicgrid.partywork.periods import week_of
from civicgrid.partywork.services import in_force

log = logging.getLogger(__name__)
TEXT_CODE = "partywork.contact_reminder"


def remind_weekday() -> int:
    return settings.CIVICGRID_PARTYWORK_REMIND_WEEKDAY


def due_members(week) -> list[tuple[int, int]]:
    """(member id, households not contacted) for members not yet reminded this week."""
    contacted = ContactLog.objects.filter(
        pairing=OuterRef("pk"), contacted_on__gte=week.start, contacted_on__lte=week.end
    )
    reminded = ContactReminder.objects.filter(member=OuterRef("member_id"), week=week.start)
    qs = (
        in_force(ContactPairing.objects.filter(member__is_active=True))
        .exclude(Exists(contacted))
        .exclude(Exists(reminded))
    )
    return list(
        qs.values("member_id").annotate(n=Count("id")).order_by("member_id").values_list("member_id", "n")
    )


def _remind(member_id: int, count: int, week, now) -> bool:
    with transaction.atomic():
        try:
            with transaction.atomic():
                ContactReminder.objects.create(
                    member_id=member_id, week=week.start, households=count, sent_at=now
                )
        except IntegrityError:
            return False  # another sweep reminded this member this week
        notify_users(
            user_ids={member_id},
            text_code=TEXT_CODE,
            params={"count": count, "week": week.start.isoformat()},
            link=reverse("partywork:mine"),
        )
    return True


def run() -> dict[str, int]:
    """The sweep: `{"reminded": n}`. Idempotent; safe with two sweeps at once."""
    today = clock.today()
    if today.isoweekday() < remind_weekday():
        return {"reminded": 0}
    week, now = week_of(today), clock.now()
    reminded = 0
    for member_id, count in due_members(week):
        try:
            reminded += _remind(member_id, count, week, now)
        except Exception:  # one member's failure must not stop the others; the next sweep retries
            log.exception("partywork sweep: could not remind member %s", member_id)
    return {"reminded": reminded}
