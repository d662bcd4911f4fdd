"""Registry corrections: a change of registry fields proposed (from a visit, say) and applied on review.

A proposal is checked when it is made, so the proposer learns at once of a bad field; it is applied
through `resident_update` / `household_update`, so an approved correction is validated and audited
exactly as an edit made on the registry pages.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.registry import services as core
from civicgrid.registry.models import (
    CorrectionSource,
    Household,
    HouseholdStatus,
    RegistryCorrection,
    Resident,
    ReviewStatus,
)

PROTECTED = ("id_number", "phone")
RESIDENT_CORRECTABLE = (*core.RESIDENT_FIELDS, *PROTECTED)
HOUSEHOLD_CORRECTABLE = ("notes", "status", "head")


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _resident_changes(resident: Resident, raw: dict[str, str]) -> dict[str, str]:
    """The fields that would really change, normalised; raises naming the first bad field."""
    if "id_number" in raw and not raw["id_number"]:
        raise ApplicationError(_("An ID number cannot be corrected to nothing."), field="id_number")
    clean = core.clean_resident_data(raw, instance=resident)
    out: dict[str, str] = {}
    for key in raw:
        if key in PROTECTED:
            if (clean[f"{key}_hash"] or "") != (getattr(resident, f"{key}_hash") or ""):
                out[key] = clean[key]
        elif key in clean and clean[key] != getattr(resident, key):
            out[key] = _text(clean[key].isoformat() if key == "birth_date" else clean[key])
    # The ID number fills in birth date and gender; a proposal of the number alone carries them too.
    for derived in ("birth_date", "gender"):
        if "id_number" in out and derived in clean and derived not in raw:
            value = clean[derived]
            if value != getattr(resident, derived):
                out[derived] = value.isoformat() if derived == "birth_date" else value
    return out


def _household_changes(household: Household, raw: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {}
    if "notes" in raw:
        if len(raw["notes"]) > 2000:
            raise ApplicationError(_("The notes are too long."), field="notes")
        if raw["notes"] != household.notes:
            out["notes"] = raw["notes"]
    if "status" in raw:
        if raw["status"] not in HouseholdStatus.values:
            raise ApplicationError(_("Unknown status."), field="status")
        if raw["status"] != household.status:
            out["status"] = raw["status"]
    if "head" in raw:
        head = _member(household, raw["head"])
        if head.pk != household.head_id:
            out["head"] = str(head.pk)
    return out


def _member(household: Household, raw: str) -> Resident:
    head = household.members.filter(pk=int(raw)).first() if raw.isdigit() else None
    if head is None:
        raise ApplicationError(_("The head must be a member of the household."), field="head")
    return head


@transaction.atomic
def correction_propose(
    *,
    actor,
    household: Household,
    resident: Resident | None = None,
    changes: dict[str, str],
    note: str = "",
    source: str = CorrectionSource.VISIT,
) -> RegistryCorrection:
    """A proposed change that waits for review. Only fields a registry form may edit are accepted:
    a resident's (name, ID number, phone, …) when `resident` is given, else the household's
    (notes, status, head as a member's id). The same proposal sent twice gives the first one.
    """
    if source not in CorrectionSource.values:
        raise ApplicationError(_("Unknown source."), field="source")
    if resident is not None and resident.household_id != household.pk:
        raise ApplicationError(_("The resident is not a member of this household."), field="resident")
    allowed = RESIDENT_CORRECTABLE if resident is not None else HOUSEHOLD_CORRECTABLE
    raw = {}
    for key, value in (changes or {}).items():
        if key not in allowed:
            raise ApplicationError(
                _("%(field)s cannot be corrected here.") % {"field": core.field_label(key)},
                field=key,
                code="unknown_field",
            )
        raw[key] = _text(value)
    if not raw:
        raise ApplicationError(_("Say what should change."), field="changes")
    note = _text(note)
    if len(note) > 500:
        raise ApplicationError(_("The note is too long."), field="note")
    found = _resident_changes(resident, raw) if resident is not None else _household_changes(household, raw)
    if not found:
        raise ApplicationError(_("This changes nothing: the registry already says so."), code="unchanged")
    stored = {k: (None if k in PROTECTED else v) for k, v in found.items()}
    same = _waiting_twin(household, resident, actor, stored, found)
    if same is not None:
        return same
    correction = RegistryCorrection.objects.create(
        household=household,
        resident=resident,
        territory_path=household.territory_path,
        changes=stored,
        id_number=found.get("id_number", ""),
        phone=found.get("phone", ""),
        note=note,
        source=source,
        proposed_by=actor,
    )
    audit_record(
        actor=actor,
        action="correction.propose",
        obj=correction,
        summary={
            "household": household.number,
            "resident": resident.pk if resident else None,
            "source": source,
            "changes": core._summary(found),
        },
    )
    return correction


def _waiting_twin(household, resident, actor, stored: dict, found: dict) -> RegistryCorrection | None:
    """A waiting proposal by the same person with the same changes (a form sent again), if any."""
    twins = RegistryCorrection.objects.filter(
        household=household,
        resident=resident,
        status=ReviewStatus.WAITING,
        proposed_by=actor if getattr(actor, "pk", None) else None,
    )
    for twin in twins:
        if twin.changes == stored and all(
            getattr(twin, k).plaintext() == found[k] for k in PROTECTED if k in found
        ):
            return twin
    return None


def proposed_values(correction: RegistryCorrection) -> dict[str, str]:
    """The proposal with protected values in plaintext: only for applying it, never for display."""
    return {
        k: (getattr(correction, k).plaintext() if k in PROTECTED else v)
        for k, v in correction.changes.items()
    }


def _claim(correction: RegistryCorrection, actor) -> RegistryCorrection:
    locked = RegistryCorrection.objects.select_for_update().get(pk=correction.pk)
    # The reviewer's to decide (404 outside their area, 403 inside without the rights to apply it).
    access.check(actor, "registry.review", locked.territory_path)
    access.check(actor, "registry.edit", locked.territory_path)
    if locked.status != ReviewStatus.WAITING:
        raise ApplicationError(_("This correction has already been decided."), code="decided")
    if locked.proposed_by_id is not None and locked.proposed_by_id == getattr(actor, "pk", None):
        raise ApplicationError(
            _("Someone other than the proposer reviews a correction."), code="own_proposal"
        )
    return locked


def _decide(correction: RegistryCorrection, actor, status: str, reason: str = "") -> None:
    correction.status = status
    correction.reason = reason
    correction.decided_by = actor
    correction.decided_at = clock.now()
    correction.updated_at = correction.decided_at
    correction.save(update_fields=["status", "reason", "decided_by", "decided_at", "updated_at"])
    audit_record(
        actor=actor,
        action=f"correction.{'approve' if status == ReviewStatus.APPROVED else 'reject'}",
        obj=correction,
        summary={
            "household": correction.household.number,
            "fields": list(correction.changes),
            "reason": reason,
        },
    )
    pk, by = correction.pk, getattr(actor, "pk", None)
    transaction.on_commit(
        lambda: registry.publish("registry.correction_decided", correction_id=pk, status=status, actor_id=by)
    )


@transaction.atomic
def correction_approve(*, actor, correction: RegistryCorrection) -> RegistryCorrection:
    """Apply the proposal through the registry's own edit services, then mark it approved."""
    correction = _claim(correction, actor)
    values = proposed_values(correction)
    if correction.resident_id is not None:
        resident = Resident.objects.get(pk=correction.resident_id)
        if resident.household_id != correction.household_id:
            raise ApplicationError(
                _("The resident has left this household since the proposal: reject it and propose again."),
                code="stale",
            )
        core.resident_update(actor=actor, resident=resident, data=values)
    else:
        household = correction.household
        core.household_update(
            actor=actor,
            household=household,
            notes=values.get("notes"),
            status=values.get("status"),
            head=_member(household, values["head"]) if "head" in values else None,
        )
    _decide(correction, actor, ReviewStatus.APPROVED)
    return correction


@transaction.atomic
def correction_reject(*, actor, correction: RegistryCorrection, reason: str) -> RegistryCorrection:
    reason = _text(reason)
    if len(reason) < 2:
        raise ApplicationError(_("Say why the correction is rejected."), field="reason")
    if len(reason) > 300:
        raise ApplicationError(_("The reason is too long."), field="reason")
    correction = _claim(correction, actor)
    _decide(correction, actor, ReviewStatus.REJECTED, reason)
    return correction
