"""Writes of in-service party members (在职党员到社区报到): reporting in, pledges, services done.

An in-service member acts on their own record (`partywork.inservice` at the community); the
community (`partywork.inservice_manage`) enters records for people without a login and confirms
the services members record. A service the community records itself counts as confirmed.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.partywork.models import (
    InservicePartyMember,
    Pledge,
    PledgeCategory,
    ServiceRecord,
    ServiceStatus,
)
from civicgrid.partywork.permissions import INSERVICE, INSERVICE_MANAGE
from civicgrid.territory.models import Level

MAX_HOURS = Decimal(24)


def _acting_as(actor, member: InservicePartyMember) -> str:
    """ "self" for the member's own login, "community" for the community; 404/403 otherwise."""
    if (
        member.user_id
        and member.user_id == getattr(actor, "pk", None)
        and access.has_perm_at(actor, INSERVICE, member.territory_path)
    ):
        return "self"
    access.check(actor, INSERVICE_MANAGE, member.territory_path)
    return "community"


def _required(value: str, field: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError(message, field=field)
    if len(value) > limit:
        raise ApplicationError(_("Keep this under %(n)d characters.") % {"n": limit}, field=field)
    return value


def _open(member: InservicePartyMember) -> None:
    if member.until is not None:
        raise ApplicationError(_("This member no longer reports to the community."), code="left")


@transaction.atomic
def inservice_party_member_register(
    *,
    actor,
    community,
    workplace: str,
    name: str = "",
    reported_on: dt.date | None = None,
    user=None,
    membership=None,
) -> InservicePartyMember:
    """Report to the community where one lives: oneself (with the role there), or entered by the community."""
    if community is None or community.level != Level.COMMUNITY:
        raise ApplicationError(_("Choose the community where the member lives."), field="community")
    by_self = user is not None and user.pk == getattr(actor, "pk", None)
    if by_self and access.has_perm_at(actor, INSERVICE, community.path):
        name = name or str(actor)
    else:
        access.check(actor, INSERVICE_MANAGE, community.path)
    name = _required(name, "name", _("Enter the member's name."), 50)
    workplace = _required(workplace, "workplace", _("Enter where the member works."), 120)
    today = clock.today()
    reported_on = reported_on or today
    if reported_on > today:
        raise ApplicationError(_("The date cannot be in the future."), field="reported_on")
    try:
        with transaction.atomic():
            member = InservicePartyMember.objects.create(
                community=community,
                territory_path=community.path,
                user=user,
                membership=membership,
                name=name,
                workplace=workplace,
                reported_on=reported_on,
                entered_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise ApplicationError(
            _("This member has already reported to this community."),
            field="community",
            code="already_reported",
        ) from None
    audit_record(
        actor=actor,
        action="inservice_party_member.register",
        obj=member,
        summary={
            "community": community.code,
            "workplace": workplace,
            "by_self": by_self,
            "user": user.username if user else None,
        },
    )
    return member


@transaction.atomic
def inservice_party_member_leave(*, actor, member: InservicePartyMember) -> InservicePartyMember:
    _acting_as(actor, member)
    member = InservicePartyMember.objects.select_for_update().get(pk=member.pk)
    _open(member)
    member.until = clock.today()
    member.updated_at = clock.now()
    member.save(update_fields=["until", "updated_at"])
    audit_record(
        actor=actor, action="inservice_party_member.leave", obj=member, summary={"until": member.until}
    )
    return member


@transaction.atomic
def pledge_create(*, actor, member: InservicePartyMember, category: str, what: str) -> Pledge:
    _acting_as(actor, member)
    _open(member)
    if category not in PledgeCategory.values:
        raise ApplicationError(_("Choose a category."), field="category")
    what = _required(what, "what", _("Say what you will do."), 200)
    pledge = Pledge.objects.create(
        member=member, territory_path=member.territory_path, category=category, what=what
    )
    audit_record(
        actor=actor, action="pledge.create", obj=pledge, summary={"category": category, "what": what}
    )
    return pledge


@transaction.atomic
def pledge_withdraw(*, actor, pledge: Pledge) -> Pledge:
    _acting_as(actor, pledge.member)
    if pledge.withdrawn_at is not None:
        raise ApplicationError(_("This pledge has already been withdrawn."), code="withdrawn")
    pledge.withdrawn_at = clock.now()
    pledge.updated_at = pledge.withdrawn_at
    pledge.save(update_fields=["withdrawn_at", "updated_at"])
    audit_record(actor=actor, action="pledge.withdraw", obj=pledge, summary={"what": pledge.what})
    return pledge


def _hours(value) -> Decimal:
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(_("Enter the hours as a number, e.g. 1.5."), field="hours") from None
    if hours <= 0 or hours > MAX_HOURS:
        raise ApplicationError(_("Hours must be more than 0 and at most 24 for one day."), field="hours")
    return hours


@transaction.atomic
def service_record_create(
    *, actor, member: InservicePartyMember, done_on: dt.date, hours, what: str, pledge: Pledge | None = None
) -> ServiceRecord:
    """A service performed: the member's own record waits for the community; the community's counts now."""
    acting = _acting_as(actor, member)
    _open(member)
    if done_on is None:
        raise ApplicationError(_("Enter the date of the service."), field="done_on")
    if done_on > clock.today():
        raise ApplicationError(_("The date cannot be in the future."), field="done_on")
    if done_on < member.reported_on:
        raise ApplicationError(_("The date is before the member reported to the community."), field="done_on")
    if pledge is not None and pledge.member_id != member.pk:
        raise ApplicationError(_("This pledge belongs to someone else."), field="pledge")
    hours = _hours(hours)
    what = _required(what, "what", _("Say what was done."), 300)
    now = clock.now()
    confirmed = acting == "community"
    record = ServiceRecord.objects.create(
        member=member,
        territory_path=member.territory_path,
        pledge=pledge,
        done_on=done_on,
        hours=hours,
        what=what,
        status=ServiceStatus.CONFIRMED if confirmed else ServiceStatus.PENDING,
        recorded_by=actor,
        decided_by=actor if confirmed else None,
        decided_at=now if confirmed else None,
    )
    audit_record(
        actor=actor,
        action="service_record.create",
        obj=record,
        summary={"done_on": done_on, "hours": hours, "what": what, "status": record.status},
    )
    if confirmed:
        _publish_confirmed(record)
    return record


def _publish_confirmed(record: ServiceRecord) -> None:
    payload = {"service_record_id": record.pk, "member_id": record.member_id, "hours": str(record.hours)}
    transaction.on_commit(lambda: registry.publish("partywork.service_confirmed", **payload))


@transaction.atomic
def service_record_decide(*, actor, record: ServiceRecord, confirm: bool, note: str = "") -> ServiceRecord:
    """The community confirms a service the member recorded (its hours then count), or says why not."""
    access.check(actor, INSERVICE_MANAGE, record.territory_path)
    record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
    if record.status != ServiceStatus.PENDING:
        raise ApplicationError(_("This service has already been decided."), code="already_decided")
    note = (note or "").strip()[:200]
    if not confirm and len(note) < 2:
        raise ApplicationError(_("Say why it is not confirmed."), field="note")
    record.status = ServiceStatus.CONFIRMED if confirm else ServiceStatus.REJECTED
    record.decided_by = actor
    record.decided_at = clock.now()
    record.decision_note = note
    record.updated_at = record.decided_at
    record.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    audit_record(
        actor=actor,
        action="service_record.decide",
        obj=record,
        summary={"status": record.status, "note": note},
    )
    if confirm:
        _publish_confirmed(record)
    return record
