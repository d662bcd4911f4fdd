"""Writes of contact pairings and contacts. Keyword-only, actor first, atomic, audited.

A household is paired with one member at a time (a partial unique index backs the check), and only
with a member who holds the party-member role over the household's grid. Ending a pairing keeps the
row: `until` says when, `end_reason` why, and a hand-over links the new pairing to the old one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.partywork.models import ContactLog, ContactMethod, ContactPairing, EndReason
from civicgrid.partywork.permissions import CONTACT, PAIR
from civicgrid.registry.models import Household, HouseholdStatus

# Contact households are typically 10–15 per member; more is allowed but said out loud.
TYPICAL_MAX = 15
# How far back a member may date a contact they forgot to record.
BACKDATE_DAYS = 31


@dataclass
class PairingResult:
    pairings: list[ContactPairing] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass
class HandOverResult:
    ended: list[ContactPairing] = field(default_factory=list)
    made: list[ContactPairing] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def in_force(qs, day: dt.date | None = None):
    """Pairings in force on `day` (today by default): begun by then and not ended by then."""
    day = day or clock.today()
    return qs.filter(since__lte=day).exclude(until__lte=day)


def _load_warning(member, count: int) -> list[str]:
    if count <= TYPICAL_MAX:
        return []
    return [
        _("%(member)s now has %(count)d contact households; more than %(max)d is hard to keep up weekly.")
        % {"member": member, "count": count, "max": TYPICAL_MAX}
    ]


def _active_count(member) -> int:
    return ContactPairing.objects.filter(member=member, until__isnull=True).count()


def _check_member(member, household: Household, field_name: str) -> None:
    if not member.is_active or not access.has_perm_at(member, CONTACT, household.territory_path):
        raise ApplicationError(
            _("Household %(number)s is not in a grid where %(member)s is a party member.")
            % {"number": household.number, "member": member},
            field=field_name,
            code="outside_grid",
        )


def _pair(*, actor, member, household: Household, since: dt.date, previous=None) -> ContactPairing:
    try:
        with transaction.atomic():  # a savepoint: a racing pairing of the same household fails alone
            pairing = ContactPairing.objects.create(
                member=member,
                household=household,
                territory_path=household.territory_path,
                since=since,
                previous=previous,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise ApplicationError(
            _("Household %(number)s is already paired with a member.") % {"number": household.number},
            field="households",
            code="already_paired",
        ) from None
    audit_record(
        actor=actor,
        action="contact_pairing.create",
        obj=pairing,
        summary={
            "member": member.username,
            "household": household.number,
            "since": since,
            "previous": previous.pk if previous else None,
        },
    )
    return pairing


@transaction.atomic
def contact_pairing_create(
    *, actor, member, households: list[Household], since: dt.date | None = None
) -> PairingResult:
    """Pair `member` with several households at once; all or none."""
    if not households:
        raise ApplicationError(_("Pick at least one household."), field="households")
    since = since or clock.today()
    locked = list(
        Household.objects.select_for_update().filter(pk__in=[h.pk for h in households]).order_by("pk")
    )
    taken = {
        p.household_id: str(p.member)
        for p in ContactPairing.objects.filter(household__in=locked, until__isnull=True).select_related(
            "member"
        )
    }
    result = PairingResult()
    for household in locked:
        access.check(actor, PAIR, household.territory_path)
        if household.status != HouseholdStatus.ACTIVE:
            raise ApplicationError(
                _("Household %(number)s is no longer active.") % {"number": household.number},
                field="households",
            )
        if household.pk in taken:
            raise ApplicationError(
                _("Household %(number)s is already paired with %(member)s.")
                % {"number": household.number, "member": taken[household.pk]},
                field="households",
                code="already_paired",
            )
        _check_member(member, household, "households")
        result.pairings.append(_pair(actor=actor, member=member, household=household, since=since))
    result.warnings = _load_warning(member, _active_count(member))
    return result


def _end(*, actor, pairing: ContactPairing, reason: str, on: dt.date) -> ContactPairing:
    # The day it ends is not a day in force, but it cannot end before it began.
    pairing.until = max(on, pairing.since)
    pairing.end_reason = reason
    pairing.updated_at = clock.now()
    pairing.save(update_fields=["until", "end_reason", "updated_at"])
    audit_record(
        actor=actor,
        action="contact_pairing.end",
        obj=pairing,
        summary={"member": pairing.member.username, "household": pairing.household.number, "reason": reason},
    )
    return pairing


@transaction.atomic
def contact_pairing_end(*, actor, pairing: ContactPairing, reason: str = EndReason.ENDED) -> ContactPairing:
    access.check(actor, PAIR, pairing.territory_path)
    pairing = (
        ContactPairing.objects.select_for_update().select_related("member", "household").get(pk=pairing.pk)
    )
    if pairing.until is not None:
        raise ApplicationError(_("This pairing has already ended."), code="already_ended")
    if reason not in EndReason.values:
        raise ApplicationError(_("Unknown reason."), field="reason")
    return _end(actor=actor, pairing=pairing, reason=reason, on=clock.today())


@transaction.atomic
def contact_pairing_hand_over(*, actor, member, to_member=None) -> HandOverResult:
    """A member moves away: end every pairing of theirs in the actor's area and, with `to_member`,
    pair the same households with that member of the same grid, in one go. Without `to_member` the
    households are left unpaired, and the pairing pages list them for a new pairing."""
    if to_member is not None and to_member.pk == member.pk:
        raise ApplicationError(_("Choose another member to take the households."), field="to_member")
    pairings = list(
        access.scope(actor, ContactPairing.objects.filter(member=member, until__isnull=True), PAIR)
        .select_for_update()
        .select_related("household", "member")
        .order_by("territory_path", "id")
    )
    if not pairings:
        raise ApplicationError(
            _("This member has no contact households in your area."), code="nothing_to_hand_over"
        )
    today = clock.today()
    result = HandOverResult()
    for pairing in pairings:
        if to_member is not None:
            _check_member(to_member, pairing.household, "to_member")
        reason = EndReason.HANDED_OVER if to_member is not None else EndReason.MOVED_AWAY
        result.ended.append(_end(actor=actor, pairing=pairing, reason=reason, on=today))
        if to_member is not None:
            result.made.append(
                _pair(
                    actor=actor, member=to_member, household=pairing.household, since=today, previous=pairing
                )
            )
    audit_record(
        actor=actor,
        action="contact_pairing.hand_over",
        obj=pairings[0],
        summary={
            "member": member.username,
            "to_member": to_member.username if to_member else None,
            "households": [p.household.number for p in pairings],
        },
    )
    if to_member is not None:
        result.warnings = _load_warning(to_member, _active_count(to_member))
    return result


@transaction.atomic
def contact_log_create(
    *, actor, pairing: ContactPairing, method: str, note: str = "", contacted_on: dt.date | None = None
) -> ContactLog:
    """The member records a contact with one of their households (two taps: how, and done)."""
    access.check(actor, CONTACT, pairing.territory_path)
    if pairing.member_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("Only the paired member records contacts with this household."))
    today = clock.today()
    day = contacted_on or today
    if pairing.until is not None and pairing.until <= day:
        raise ApplicationError(_("This pairing has ended."), code="ended")
    if method not in ContactMethod.values:
        raise ApplicationError(_("Choose how you contacted the household."), field="method")
    if day > today:
        raise ApplicationError(_("A contact cannot be in the future."), field="contacted_on")
    if day < pairing.since or (today - day).days > BACKDATE_DAYS:
        raise ApplicationError(
            ngettext(
                "The date must be within the pairing and the last %(n)d day.",
                "The date must be within the pairing and the last %(n)d days.",
                BACKDATE_DAYS,
            )
            % {"n": BACKDATE_DAYS},
            field="contacted_on",
        )
    note = (note or "").strip()
    if len(note) > 200:
        raise ApplicationError(_("Keep the note under 200 characters."), field="note")
    log = ContactLog.objects.create(
        pairing=pairing,
        member_id=pairing.member_id,
        household_id=pairing.household_id,
        territory_path=pairing.territory_path,
        method=method,
        note=note,
        contacted_on=day,
    )
    # The note may describe the family: the audit keeps the fact of the contact, not its words.
    audit_record(
        actor=actor,
        action="contact_log.create",
        obj=log,
        summary={"pairing": pairing.pk, "method": method, "on": day, "note_length": len(note)},
    )
    payload = {"contact_log_id": log.pk, "member_id": log.member_id, "household_id": log.household_id}
    transaction.on_commit(lambda: registry.publish("partywork.contact_logged", **payload))
    return log
