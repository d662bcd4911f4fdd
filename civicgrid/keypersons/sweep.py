"""The key-person sweep: statuses lapse after their end date, and missed due dates alert the people in charge.

Each piece of work is claimed by a conditional UPDATE inside the transaction that does it, so two
sweeps racing (or a restart mid-way) do it exactly once: on PostgreSQL the second sweep waits for the
first one's row lock and then matches nothing; SQLite serialises write transactions. What was alerted
is stored on the key person (`visit_alerted_for`, `review_alerted_for`) and as a `KeyPersonAlert` row.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse

from civicgrid.accounts.models import RoleAssignment
from civicgrid.core import clock, paths, registry
from civicgrid.keypersons import services
from civicgrid.keypersons.models import AlertKind, KeyPerson, KeyPersonAlert, Status
from civicgrid.notify.services import notify_users
from civicgrid.registry.models import Resident
from civicgrid.territory.models import Territory

log = logging.getLogger(__name__)
BATCH = 200

# kind → (the stored due date, the column recording which date was alerted, the message)
ALERTS = {
    AlertKind.VISIT_OVERDUE: ("next_visit_due", "visit_alerted_for", "keypersons.visit_overdue"),
    AlertKind.REVIEW_DUE: ("review_due", "review_alerted_for", "keypersons.review_due"),
}


def designated_user_ids(path: str, perm: str = services.MANAGE) -> set[int]:
    """Users whose active assignment on the node or above holds `perm`: the people in charge there."""
    roles = [role for role, perms in registry.role_permissions().items() if perm in perms]
    return set(
        RoleAssignment.objects.active()
        .filter(
            role__in=roles,
            territory_path__in=[*paths.ancestors(path), path],
            organisation__isnull=True,
            user__is_active=True,
        )
        .values_list("user_id", flat=True)
    )


def place_name(path: str) -> str:
    """ "幸福社区 · 第一网格": where a key person lives, without saying who they are."""
    names = dict(
        Territory.objects.filter(path__in=[*paths.ancestors(path), path], level__in=["community", "grid"])
        .order_by("path")
        .values_list("path", "name")
    )
    return " · ".join(names[p] for p in sorted(names))


def _tell(kp: KeyPerson, text_code: str, params: dict) -> int:
    users = designated_user_ids(kp.territory_path)
    link = reverse("keypersons:detail", args=[kp.pk])
    notify_users(
        user_ids=users,
        text_code=text_code,
        params={"place": place_name(kp.territory_path), **params},
        link=link,
    )
    return len(users)


def _lapse(today, batch: int) -> int:
    done = 0
    due = KeyPerson.objects.filter(status=Status.ACTIVE, until__lt=today)
    for pk in list(due.order_by("until", "pk").values_list("pk", flat=True)[:batch]):
        try:
            with transaction.atomic():
                claimed = KeyPerson.objects.filter(pk=pk, status=Status.ACTIVE, until__lt=today).update(
                    status=Status.LAPSED, updated_at=clock.now()
                )
                if not claimed:
                    continue  # another sweep lapsed it first
                kp = services.keyperson_lapse(key_person=KeyPerson(pk=pk))
                _tell(kp, "keypersons.lapsed", {"until": kp.until.isoformat()})
                done += 1
        except Exception:  # one bad row must not stop the sweep; the next pass retries it
            log.exception("keypersons sweep: key person %s could not lapse", pk)
    return done


def _not_alerted(due_field: str, alerted_field: str) -> Q:
    return (
        Q(**{f"{alerted_field}__isnull": True})
        | Q(**{f"{alerted_field}__lt": F(due_field)})
        | Q(**{f"{alerted_field}__gt": F(due_field)})
    )


def _alert(kind: str, today, batch: int) -> int:
    due_field, alerted_field, text_code = ALERTS[kind]
    missed = KeyPerson.objects.filter(_not_alerted(due_field, alerted_field), status=Status.ACTIVE).filter(
        **{f"{due_field}__lt": today}
    )
    done = 0
    for pk, due_on in list(missed.order_by(due_field, "pk").values_list("pk", due_field)[:batch]):
        try:
            with transaction.atomic():
                claimed = (
                    KeyPerson.objects.filter(
                        _not_alerted(due_field, alerted_field), pk=pk, status=Status.ACTIVE
                    )
                    .filter(**{due_field: due_on})
                    .update(**{alerted_field: due_on})
                )
                if not claimed:
                    continue
                kp = KeyPerson.objects.get(pk=pk)
                told = _tell(kp, text_code, {"due_on": due_on.isoformat()})
                KeyPersonAlert.objects.create(key_person=kp, kind=kind, due_on=due_on, recipients=told)
                done += 1
        except Exception:
            log.exception("keypersons sweep: alert %s for key person %s failed", kind, pk)
    return done


def _follow(batch: int) -> int:
    here = Resident.objects.filter(pk=OuterRef("resident_id")).values("territory_path")[:1]
    stale = KeyPerson.objects.annotate(now_at=Subquery(here)).exclude(territory_path=F("now_at"))
    done = 0
    for pk in list(stale.order_by("pk").values_list("pk", flat=True)[:batch]):
        try:
            done += services.keyperson_follow_resident(key_person=KeyPerson(pk=pk))
        except Exception:
            log.exception("keypersons sweep: key person %s could not follow its resident", pk)
    return done


def run(*, today=None, batch: int = BATCH) -> dict[str, int]:
    today = today or clock.today()
    followed = _follow(batch)
    return {
        "moved_with_resident": followed,
        "lapsed": _lapse(today, batch),
        "visit_alerts": _alert(AlertKind.VISIT_OVERDUE, today, batch),
        "review_alerts": _alert(AlertKind.REVIEW_DUE, today, batch),
    }
