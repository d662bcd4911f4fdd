"""Self-registration ("letter from home", 家书 / 扫码登记): residents register themselves from the QR
door plate, and the grid chief reviews it: approve (a new household, or new members of one at the
house), merge with residents already registered under the same ID number, or reject with a reason.

Decisions go through the registry's own services (`household_create`, `resident_add`,
`resident_update`), so what a resident wrote is validated and audited like a clerk's entry.
"""

from __future__ import annotations

import hashlib
import secrets

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, idcard, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.core.protected import blind_index
from civicgrid.registry import selectors
from civicgrid.registry import services as core
from civicgrid.registry.models import (
    House,
    Household,
    HouseholdStatus,
    Relation,
    ResidentStatus,
    ReviewStatus,
    SelfRegistration,
    SelfRegistrationKind,
    SelfRegistrationPerson,
)

MAX_PEOPLE = 10


def new_registration_code() -> str:
    """R, the date, 8 random characters: like a case's tracking code, told apart by its first letter."""
    return f"R{clock.today():%y%m%d}" + "".join(secrets.choice(core.HOUSE_CODE_ALPHABET) for _ in range(8))


def person_field(position: int, field: str) -> str:
    """The name of a person's field in an error: `field` for the resident, `members-<n>-field` after."""
    return field if position == 0 else f"members-{position - 1}-{field}"


def _clean_person(raw: dict, position: int) -> dict:
    name = (raw.get("name") or "").strip()
    if not name:
        raise ApplicationError(_("A name is required."), field=person_field(position, "name"))
    if len(name) > 50:
        raise ApplicationError(_("The name is too long."), field=person_field(position, "name"))
    number = idcard.normalise(raw.get("id_number") or "")
    why = idcard.problem(number) if number else _("An ID number is required.")
    if why:
        raise ApplicationError(str(why), field=person_field(position, "id_number"))
    relation = raw.get("relation") or Relation.OTHER
    if relation not in Relation.values:
        raise ApplicationError(_("Unknown relation."), field=person_field(position, "relation"))
    phone = "".join(ch for ch in (raw.get("phone") or "") if ch.isdigit() or ch == "+")
    if phone and not 7 <= len(phone.lstrip("+")) <= 15:
        raise ApplicationError(
            _("The phone number must have 7 to 15 digits."), field=person_field(position, "phone")
        )
    return {
        "position": position,
        "name": name,
        "relation": relation,
        "id_number": number,
        "id_number_hash": blind_index("id_number", number),
        "gender": idcard.gender(number),
        "birth_date": idcard.birth_date(number),
        "phone": phone,
    }


def _key(form_key: str, kind: str, people: list[dict]) -> str:
    """The form's key plus the content, as for a portal report: a double tap gets the first
    registration; a different one sent from a form restored by the Back button is new.
    """
    content = "|".join(f"{p['name']}:{p['id_number_hash']}:{p['relation']}" for p in people)
    return f"{form_key}:{hashlib.sha256(f'{kind}|{content}'.encode()).hexdigest()[:16]}"


@transaction.atomic
def self_registration_submit(
    *,
    actor=None,
    house: House,
    kind: str,
    people: list[dict],
    note: str = "",
    idempotency_key: str,
) -> SelfRegistration:
    """A resident's registration (themselves first, then their household) or update of their own
    details, waiting for review. The same form sent twice gives the first registration.
    """
    if kind not in SelfRegistrationKind.values:
        raise ApplicationError(_("Unknown kind."), field="kind")
    if not people:
        raise ApplicationError(_("A name is required."), field="name")
    if kind == SelfRegistrationKind.UPDATE and len(people) > 1:
        raise ApplicationError(_("Update your own details only."), field="members")
    if len(people) > MAX_PEOPLE:
        raise ApplicationError(
            _("At most %(n)s people at a time.") % {"n": MAX_PEOPLE}, field=person_field(MAX_PEOPLE, "name")
        )
    clean = [_clean_person(raw, i) for i, raw in enumerate(people)]
    seen: set[str] = set()
    for person in clean:
        if person["id_number_hash"] in seen:
            raise ApplicationError(
                _("The same ID number is given twice."), field=person_field(person["position"], "id_number")
            )
        seen.add(person["id_number_hash"])
    note = (note or "").strip()
    if len(note) > 500:
        raise ApplicationError(_("The note is too long."), field="note")
    key = _key(idempotency_key, kind, clean)
    existing = SelfRegistration.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            registration = SelfRegistration.objects.create(
                house=house,
                territory_path=house.territory_path,
                kind=kind,
                code=new_registration_code(),
                idempotency_key=key,
                note=note,
            )
    except IntegrityError:  # the same form, sent twice at once: the other request made it
        return SelfRegistration.objects.get(idempotency_key=key)
    SelfRegistrationPerson.objects.bulk_create(
        [SelfRegistrationPerson(registration=registration, **person) for person in clean]
    )
    audit_record(
        actor=actor,
        action="self_registration.submit",
        obj=registration,
        summary={"house": house.house_code, "kind": kind, "people": len(clean)},
    )
    pk = registration.pk
    transaction.on_commit(
        lambda: registry.publish("registry.self_registration_submitted", registration_id=pk)
    )
    return registration


REVIEW, EDIT = "registry.review", "registry.edit"


def _claim(registration: SelfRegistration, actor, perm: str) -> SelfRegistration:
    """The registration locked, still waiting, and the actor's to decide (404 outside, 403 inside)."""
    locked = SelfRegistration.objects.select_for_update().get(pk=registration.pk)
    access.check(actor, REVIEW, locked.territory_path)
    access.check(actor, perm, locked.territory_path)
    if locked.status != ReviewStatus.WAITING:
        raise ApplicationError(_("This self-registration has already been decided."), code="decided")
    return locked


def _person_data(person: SelfRegistrationPerson) -> dict:
    data = {"name": person.name, "id_number": person.id_number.plaintext(), "relation": person.relation}
    if person.phone:
        data["phone"] = person.phone.plaintext()
    return data


def _add(actor, household: Household, person: SelfRegistrationPerson, relation: str | None = None) -> None:
    data = {**_person_data(person), "relation": relation or person.relation}
    person.resident = core.resident_add(
        actor=actor, household=household, data=data, note=_("self-registration")
    )
    person.save(update_fields=["resident"])


def _decide(registration: SelfRegistration, actor, status: str, *, reason: str = "", household=None) -> None:
    registration.status = status
    registration.reason = reason
    registration.household = household
    registration.decided_by = actor
    registration.decided_at = clock.now()
    registration.updated_at = registration.decided_at
    registration.save(
        update_fields=["status", "reason", "household", "decided_by", "decided_at", "updated_at"]
    )
    verb = {ReviewStatus.APPROVED: "approve", ReviewStatus.MERGED: "merge"}.get(status, "reject")
    audit_record(
        actor=actor,
        action=f"self_registration.{verb}",
        obj=registration,
        summary={
            "code": registration.code,
            "household": household.number if household else None,
            "reason": reason,
        },
    )
    pk = registration.pk
    transaction.on_commit(
        lambda: registry.publish("registry.self_registration_decided", registration_id=pk, status=status)
    )


@transaction.atomic
def self_registration_approve(
    *, actor, registration: SelfRegistration, household: Household | None = None
) -> SelfRegistration:
    """Register the people: as a new household at the house, or as new members of `household`
    (one at the same house). Refused when someone is already registered: merge instead.
    """
    registration = _claim(registration, actor, EDIT)
    people = list(registration.people.all())
    found = selectors.self_registration_matches(registration)
    if found:
        first = next(p for p in people if p.pk in found)
        raise ApplicationError(
            _("%(name)s is already registered: merge instead.") % {"name": first.name}, code="matched"
        )
    if household is not None:
        household = Household.objects.select_for_update().get(pk=household.pk)  # as it is now, held
        if household.house_id != registration.house_id or household.status != HouseholdStatus.ACTIVE:
            raise ApplicationError(_("Choose an active household at this house."), field="household")
        for person in people:
            _add(actor, household, person, Relation.OTHER if person.relation == Relation.HEAD else None)
    else:
        head = next((p for p in people if p.relation == Relation.HEAD), people[0])
        household = core.household_create(actor=actor, house=registration.house, head=_person_data(head))
        head.resident = household.head
        head.save(update_fields=["resident"])
        for person in people:
            if person.pk != head.pk:
                _add(actor, household, person, Relation.OTHER if person.relation == Relation.HEAD else None)
    _decide(registration, actor, ReviewStatus.APPROVED, household=household)
    return registration


@transaction.atomic
def self_registration_merge(*, actor, registration: SelfRegistration) -> SelfRegistration:
    """Update the residents already registered under the people's ID numbers with what they wrote
    (name, phone; a resident who was away is present again), and add the others to the household of
    the first one matched.
    """
    registration = _claim(registration, actor, EDIT)
    people = list(registration.people.all())
    found = selectors.self_registration_matches(registration)
    for resident in found.values():
        # A match may sit elsewhere: the reviewer changes it only where they may edit the registry.
        access.check(actor, EDIT, resident.territory_path)
    if not found:
        raise ApplicationError(_("Nobody here is registered yet: approve instead."), code="no_match")
    household = None
    for person in people:
        resident = found.get(person.pk)
        if resident is None:
            continue
        if resident.status == ResidentStatus.DECEASED:
            raise ApplicationError(
                _("%(name)s is registered as deceased: check with the registry clerk.")
                % {"name": person.name},
                code="deceased",
            )
        data = {"name": person.name}
        if person.phone:
            data["phone"] = person.phone.plaintext()
        if resident.status == ResidentStatus.AWAY and resident.household_id:
            data["status"] = ResidentStatus.PRESENT
        core.resident_update(actor=actor, resident=resident, data=data)
        person.resident = resident
        person.save(update_fields=["resident"])
        household = household or resident.household
    if household is not None:
        # Read afresh under a lock, as approving does: it may have been dissolved since it was read.
        household = Household.objects.select_for_update().get(pk=household.pk)
    for person in people:
        if person.pk in found:
            continue
        if household is None or household.status != HouseholdStatus.ACTIVE:
            raise ApplicationError(
                _("%(name)s has no active household to join: approve or reject instead.")
                % {"name": person.name},
                code="no_household",
            )
        _add(actor, household, person, Relation.OTHER if person.relation == Relation.HEAD else None)
    _decide(registration, actor, ReviewStatus.MERGED, household=household)
    return registration


@transaction.atomic
def self_registration_reject(*, actor, registration: SelfRegistration, reason: str) -> SelfRegistration:
    """Refuse it; the resident reads the reason on the portal with their tracking code."""
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ApplicationError(_("Say why it is rejected: the resident will read it."), field="reason")
    if len(reason) > 300:
        raise ApplicationError(_("The reason is too long."), field="reason")
    registration = _claim(registration, actor, REVIEW)
    _decide(registration, actor, ReviewStatus.REJECTED, reason=reason)
    return registration
