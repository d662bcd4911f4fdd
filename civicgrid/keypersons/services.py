"""Every write to key persons: register, review, end, a visit counted, cadences. Keyword-only, actor first,
atomic, audited.

Audit summaries name categories and colours but never the person: the row's object is printed as
`KP-<id>`, so the log itself does not say who is a key person.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, paths
from civicgrid.core.errors import ApplicationError
from civicgrid.keypersons import cadence
from civicgrid.keypersons.models import (
    COLOUR_ORDER,
    Action,
    EndRule,
    KeyPerson,
    KeyPersonCategory,
    KeyPersonReview,
    KeyPersonVisit,
    RiskColour,
    Status,
    VisitCadence,
)
from civicgrid.registry.models import Resident, ResidentStatus
from civicgrid.territory.models import Level, Territory

log = logging.getLogger(__name__)

VIEW = "keypersons.view"
MANAGE = "keypersons.manage"
CONFIGURE = "keypersons.configure"
MIN_REASON = 2  # two characters already say something in Chinese
MAX_CADENCE_DAYS = 365
CADENCE_LEVELS = (Level.COUNTY, Level.TOWN, Level.COMMUNITY, Level.GRID)
VISIT_KIND = "key_person"  # the visits module's kind for a return visit to a key person


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def category_applies(category: KeyPersonCategory, path: str) -> bool:
    """National categories apply everywhere; a county's only under that county."""
    if category.territory_id is None:
        return True
    return paths.is_within(path, category.territory.path)


def _check_colour(value: str) -> str:
    if value not in RiskColour.values:
        raise ApplicationError(_("Choose red, yellow or green."), field="risk_colour")
    return value


def _check_reason(value: str, field: str = "reason") -> str:
    value = (value or "").strip()
    if len(value) < MIN_REASON:
        raise ApplicationError(_("Write the reason (at least a few words)."), field=field)
    return value


def _until(category: KeyPersonCategory, since: dt.date, entered: dt.date | None) -> dt.date | None:
    if entered is not None:
        if entered <= since:
            raise ApplicationError(_("The end date must be after the start."), field="until")
        return entered
    if category.end_rule == EndRule.YEARS:
        return add_years(since, category.lapse_years or 0)
    if category.end_rule == EndRule.END_DATE:
        raise ApplicationError(
            _("Enter the end date for this category (for community correction: the end of the sentence)."),
            field="until",
        )
    return None


def _review_due(category: KeyPersonCategory, start: dt.date) -> dt.date | None:
    return add_years(start, 1) if category.end_rule == EndRule.REVIEW else None


def _due(kp: KeyPerson, table: cadence.Table | None = None) -> dt.date:
    table = table if table is not None else cadence.table_for([kp.territory_path])
    days = cadence.days_for(kp.territory_path, kp.risk_colour, table)
    return cadence.next_due(since=kp.since, last_visited_on=kp.last_visited_on, every_days=days)


def _history(kp: KeyPerson, action: str, *, before: str, reason: str, actor) -> KeyPersonReview:
    return KeyPersonReview.objects.create(
        key_person=kp,
        action=action,
        colour_from=before,
        colour_to=kp.risk_colour,
        reason=reason,
        reviewer=actor if getattr(actor, "pk", None) else None,
        at=clock.now(),
    )


def _locked(kp: KeyPerson) -> KeyPerson:
    return KeyPerson.objects.select_for_update().select_related("category").get(pk=kp.pk)


def _acting(actor, kp: KeyPerson) -> None:
    access.check(actor, MANAGE, kp.territory_path)
    if kp.status != Status.ACTIVE:
        raise ApplicationError(
            _("This key person's status is %(status)s: nothing more can be changed.")
            % {"status": kp.get_status_display()},
            code="not_active",
        )


@transaction.atomic
def keyperson_register(
    *,
    actor,
    resident: Resident,
    category: KeyPersonCategory | None,
    risk_colour: str,
    reason: str,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> KeyPerson:
    """Put a resident under management. `until` defaults from the category; some need it entered."""
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    access.check(actor, MANAGE, resident.territory_path)
    if resident.status not in (ResidentStatus.PRESENT, ResidentStatus.AWAY):
        raise ApplicationError(
            _("This resident has moved out or died: choose someone who lives here."), field="resident"
        )
    if category is None or not category.active or not category_applies(category, resident.territory_path):
        raise ApplicationError(_("Choose a category."), field="category")
    colour = _check_colour(risk_colour)
    reason = _check_reason(reason)
    today = clock.today()
    since = since or today
    if since > today:
        raise ApplicationError(_("The start cannot be in the future."), field="since")
    until = _until(category, since, until)
    if until is not None and until < today:
        raise ApplicationError(
            _("This period already ended on %(date)s: there is nothing to manage.") % {"date": until},
            field="until",
        )
    if KeyPerson.objects.filter(resident=resident, category=category, status=Status.ACTIVE).exists():
        raise ApplicationError(_("This resident is already a key person in this category."), field="category")
    kp = KeyPerson(
        resident=resident,
        category=category,
        risk_colour=colour,
        reason=reason,
        since=since,
        until=until,
        territory_path=resident.territory_path,
        review_due=_review_due(category, since),
        registered_by=actor if getattr(actor, "pk", None) else None,
    )
    kp.next_visit_due = _due(kp)
    try:
        with transaction.atomic():
            kp.save()
    except IntegrityError:  # a second registration raced this one past the check above
        raise ApplicationError(
            _("This resident is already a key person in this category."), field="category"
        ) from None
    _history(kp, Action.REGISTER, before="", reason=reason, actor=actor)
    audit_record(
        actor=actor,
        action="keyperson.register",
        obj=kp,
        summary={"category": category.code, "colour": colour, "since": since, "until": until},
    )
    return kp


@transaction.atomic
def keyperson_review(*, actor, key_person: KeyPerson, risk_colour: str, reason: str) -> KeyPerson:
    """Review the colour (the same colour confirms it). A new colour moves the next visit at once."""
    kp = _locked(key_person)
    _acting(actor, kp)
    colour = _check_colour(risk_colour)
    reason = _check_reason(reason)
    before = kp.risk_colour
    kp.risk_colour = colour
    if colour != before:
        kp.next_visit_due = _due(kp)
    if kp.category.end_rule == EndRule.REVIEW:
        kp.review_due = add_years(clock.today(), 1)
    kp.updated_at = clock.now()
    kp.save()
    _history(kp, Action.REVIEW, before=before, reason=reason, actor=actor)
    audit_record(actor=actor, action="keyperson.review", obj=kp, summary={"colour": [before, colour]})
    return kp


@transaction.atomic
def keyperson_end(*, actor, key_person: KeyPerson, reason: str) -> KeyPerson:
    """End management before its time (e.g. the person is no longer a risk), with a reason."""
    kp = _locked(key_person)
    _acting(actor, kp)
    reason = _check_reason(reason)
    _close(kp, Status.ENDED, reason=reason)
    _history(kp, Action.END, before=kp.risk_colour, reason=reason, actor=actor)
    audit_record(actor=actor, action="keyperson.end", obj=kp, summary={"status": [Status.ACTIVE, kp.status]})
    return kp


def _close(kp: KeyPerson, status: str, *, reason: str) -> None:
    kp.status = status
    kp.ended_on = clock.today()
    kp.end_reason = reason[:300]
    kp.next_visit_due = None
    kp.review_due = None
    kp.updated_at = clock.now()
    kp.save()


@transaction.atomic
def keyperson_lapse(*, key_person: KeyPerson) -> KeyPerson:
    """The system ends a status whose period is over. The sweep claims the row before calling this."""
    kp = KeyPerson.objects.select_related("category").get(pk=key_person.pk)
    until = kp.until
    _close(kp, Status.LAPSED, reason="")
    _history(kp, Action.LAPSE, before=kp.risk_colour, reason="", actor=None)
    audit_record(
        actor=None,
        action="keyperson.lapse",
        obj=kp,
        summary={"status": [Status.ACTIVE, Status.LAPSED], "until": until},
    )
    return kp


@transaction.atomic
def keyperson_visit_record(*, actor, key_person: KeyPerson, visited_on: dt.date, visit_id=None) -> bool:
    """Count a visit logged by the visits module: the next one falls due a cadence after the latest.

    No permission is checked: whoever logged the visit was allowed to by the visits module, and this
    only records what the visit made true. The same visit delivered twice counts once. Returns whether
    the visit was recorded.
    """
    kp = _locked(key_person)
    if kp.status != Status.ACTIVE or visited_on > clock.today() or visited_on < kp.since:
        return False
    if visit_id is not None and kp.visits.filter(visit_id=visit_id).exists():
        return False
    KeyPersonVisit.objects.create(
        key_person=kp,
        visit_id=visit_id,
        visited_on=visited_on,
        by=actor if getattr(actor, "pk", None) else None,
    )
    if kp.last_visited_on is None or visited_on > kp.last_visited_on:
        kp.last_visited_on = visited_on
        kp.next_visit_due = _due(kp)
        kp.updated_at = clock.now()
        kp.save()
    audit_record(
        actor=actor,
        action="keyperson.visit",
        obj=kp,
        summary={"visited_on": visited_on, "visit": visit_id, "next_visit_due": kp.next_visit_due},
    )
    return True


def _as_date(value) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def on_visit_logged(
    *, visit_id=None, resident_id=None, kind: str = "", visited_on=None, actor_id=None, **_payload
) -> int:
    """Subscriber of `visit.logged`: a key-person visit to a resident updates their key-person rows.

    Runs after the visit committed; a failure here is logged and never undoes or fails the visit.
    """
    day = _as_date(visited_on)
    if kind != VISIT_KIND or not resident_id or day is None:
        return 0
    actor = get_user_model().objects.filter(pk=actor_id).first() if actor_id else None
    counted = 0
    for kp in KeyPerson.objects.filter(resident_id=resident_id, status=Status.ACTIVE):
        try:
            counted += keyperson_visit_record(actor=actor, key_person=kp, visited_on=day, visit_id=visit_id)
        except Exception:
            log.exception("keypersons: visit %s could not be counted for key person %s", visit_id, kp.pk)
    return counted


def recompute_under(path: str) -> int:
    """Move the next visit of every active key person in a subtree to what its cadence says now."""
    table = cadence.table_under(path)
    changed = []
    rows = KeyPerson.objects.filter(paths.subtree_q("territory_path", path), status=Status.ACTIVE).only(
        "territory_path", "risk_colour", "since", "last_visited_on", "next_visit_due"
    )
    for kp in rows:
        due = _due(kp, table)
        if due != kp.next_visit_due:
            kp.next_visit_due = due
            changed.append(kp)
    KeyPerson.objects.bulk_update(changed, ["next_visit_due"], batch_size=500)
    return len(changed)


@transaction.atomic
def visit_cadence_set(*, actor, territory: Territory, days: dict[str, int | None]) -> dict:
    """Set (or, with None, stop setting) the days between visits per colour on a node and below.

    Returns {colour: [old, new]} for what changed; the next visits under the node move at once.
    """
    access.check(actor, CONFIGURE, territory.path)
    if territory.level not in CADENCE_LEVELS:
        raise ApplicationError(_("Cadences are set on a county, town, community or grid."), field="territory")
    for colour in COLOUR_ORDER:
        value = days.get(colour)
        if value is not None and not 1 <= value <= MAX_CADENCE_DAYS:
            raise ApplicationError(
                _("Between 1 and %(max)d days.") % {"max": MAX_CADENCE_DAYS}, field=f"{colour}_days"
            )
    existing = {
        c.risk_colour: c for c in VisitCadence.objects.select_for_update().filter(territory=territory)
    }
    changes = {}
    for colour in COLOUR_ORDER:
        new, row = days.get(colour), existing.get(colour)
        old = row.every_days if row else None
        if new == old:
            continue
        changes[colour] = [old, new]
        if new is None:
            row.delete()
        elif row is None:
            VisitCadence.objects.create(
                territory=territory,
                territory_path=territory.path,
                risk_colour=colour,
                every_days=new,
                set_by=actor,
            )
        else:
            row.every_days, row.set_by, row.set_at = new, actor, clock.now()
            row.save()
    if changes:
        moved = recompute_under(territory.path)
        audit_record(
            actor=actor,
            action="keyperson.cadence",
            obj=territory,
            summary={"days": changes, "next_visits_moved": moved},
        )
    return changes


@transaction.atomic
def keyperson_follow_resident(*, key_person: KeyPerson) -> bool:
    """Keep a key person where their resident now lives (the registry moves residents between units)."""
    kp = KeyPerson.objects.select_for_update().get(pk=key_person.pk)
    now_at = Resident.objects.filter(pk=kp.resident_id).values_list("territory_path", flat=True).first()
    if not now_at or now_at == kp.territory_path:
        return False
    before = kp.territory_path
    kp.territory_path = now_at
    if kp.status == Status.ACTIVE:
        kp.next_visit_due = _due(kp)  # the cadence of the new place applies
    kp.updated_at = clock.now()
    kp.save()
    audit_record(actor=None, action="keyperson.follow", obj=kp, summary={"territory_path": [before, now_at]})
    return True
