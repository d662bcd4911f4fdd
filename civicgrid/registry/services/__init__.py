"""Every write to the registry: keyword-only, actor first, atomic, audited."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import FieldDoesNotExist
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from civicgrid.audit.services import audit_record
from civicgrid.core import clock, idcard
from civicgrid.core.errors import ApplicationError
from civicgrid.core.protected import blind_index
from civicgrid.registry.models import (
    Gender,
    House,
    Household,
    HouseholdStatus,
    MoveKind,
    Relation,
    RelocationType,
    ResidenceType,
    Resident,
    ResidentMove,
    ResidentStatus,
    Tag,
    Tagging,
)
from civicgrid.territory.models import Level, Territory

# Crockford base32 without I, L, O, U: unambiguous on a printed door plate.
HOUSE_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

RESIDENT_FIELDS = (
    "name",
    "gender",
    "birth_date",
    "ethnicity",
    "relation",
    "residence_type",
    "relocation_type",
    "status",
)


def field_label(name: str) -> str:
    """The translated label of a resident field or import column, for messages that name it."""
    if name == "tags":
        return str(Tag._meta.verbose_name_plural)
    model, field = {"house_code": (House, "house_code"), "household_number": (Household, "number")}.get(
        name, (Resident, name)
    )
    try:
        return str(model._meta.get_field(field).verbose_name)
    except FieldDoesNotExist:
        return name


def new_house_code() -> str:
    return "H" + "".join(secrets.choice(HOUSE_CODE_ALPHABET) for _ in range(9))


@transaction.atomic
def house_create(
    *,
    actor,
    unit: Territory,
    address: str,
    lon: float | None = None,
    lat: float | None = None,
    house_code: str | None = None,
) -> House:
    if unit.level != Level.UNIT:
        raise ApplicationError(_("A house belongs to a unit."), field="unit")
    if unit.retired_at is not None:
        raise ApplicationError(_("This unit is retired."), field="unit")
    address = (address or "").strip()
    if not address:
        raise ApplicationError(_("An address is required."), field="address")
    code = house_code or new_house_code()
    if House.objects.filter(house_code=code).exists():
        raise ApplicationError(_("The house code %(code)s is taken.") % {"code": code}, field="house_code")
    house = House.objects.create(
        unit=unit, territory_path=unit.path, house_code=code, address=address, lon=lon, lat=lat
    )
    audit_record(actor=actor, action="house.create", obj=house, summary={"code": code, "address": address})
    return house


def next_household_number(house: House) -> str:
    base = house.unit.code
    n = Household.objects.filter(number__startswith=base).count() + 1
    while Household.objects.filter(number=f"{base}{n:04d}").exists():
        n += 1
    return f"{base}{n:04d}"


# The allowed codes of each choice field, computed once: a bulk import checks every row against them.
_CHOICES = {
    field: frozenset(choices.values)
    for field, choices in (
        ("gender", Gender),
        ("relation", Relation),
        ("residence_type", ResidenceType),
        ("relocation_type", RelocationType),
        ("status", ResidentStatus),
    )
}


def clean_resident_data(data: dict, *, instance: Resident | None = None) -> dict:
    """Validate and normalise resident fields; raise naming the first bad field."""
    out: dict = {}
    if "name" in data or instance is None:
        name = (data.get("name") or "").strip()
        if not name:
            raise ApplicationError(_("A name is required."), field="name")
        if len(name) > 50:
            raise ApplicationError(_("The name is too long."), field="name")
        out["name"] = name
    if "id_number" in data:
        raw = idcard.normalise(data.get("id_number") or "")
        if raw:
            why = idcard.problem(raw)
            if why:
                raise ApplicationError(str(why), field="id_number")
            out["id_number"] = raw
            out["id_number_hash"] = blind_index("id_number", raw)
        else:
            out["id_number"] = ""
            out["id_number_hash"] = None
    if "phone" in data:
        phone = "".join(ch for ch in (data.get("phone") or "") if ch.isdigit() or ch == "+")
        if phone and not 7 <= len(phone.lstrip("+")) <= 15:
            raise ApplicationError(_("The phone number must have 7 to 15 digits."), field="phone")
        out["phone"] = phone
        out["phone_hash"] = blind_index("phone", phone) if phone else ""
    for field, allowed in _CHOICES.items():
        if field in data:
            value = data[field] or ""
            if value not in allowed:
                raise ApplicationError(
                    _("%(field)s: unknown value %(value)s") % {"field": field_label(field), "value": value},
                    field=field,
                )
            out[field] = value
    if "birth_date" in data:
        born = data["birth_date"]
        if isinstance(born, str):
            try:
                born = dt.date.fromisoformat(born.strip())
            except ValueError:
                raise ApplicationError(
                    _("The birth date must be a date like 1980-05-01."), field="birth_date"
                ) from None
        if not isinstance(born, dt.date) or born > clock.today() or born.year < 1880:
            raise ApplicationError(_("The birth date is not plausible."), field="birth_date")
        out["birth_date"] = born
    if "ethnicity" in data:
        out["ethnicity"] = (data.get("ethnicity") or "汉族").strip()[:20]
    # Gender and birth date follow from a valid ID number; fill what is missing, refuse contradictions.
    if out.get("id_number"):
        number = out["id_number"]
        born = idcard.birth_date(number)
        sex = idcard.gender(number)
        if "birth_date" not in out and (instance is None or instance.birth_date != born):
            out["birth_date"] = born
        elif out.get("birth_date") and out["birth_date"] != born:
            raise ApplicationError(_("The birth date does not match the ID number."), field="birth_date")
        if "gender" not in out and (instance is None or instance.gender != sex):
            out["gender"] = sex
        elif out.get("gender") and out["gender"] != sex:
            raise ApplicationError(_("The gender does not match the ID number."), field="gender")
    elif "id_number" not in out and instance is not None and instance.id_number:
        # An edit of the birth date or gender alone must still agree with the ID number on file.
        number = instance.id_number.plaintext()
        if idcard.is_valid(number):
            if out.get("birth_date") and out["birth_date"] != idcard.birth_date(number):
                raise ApplicationError(_("The birth date does not match the ID number."), field="birth_date")
            if out.get("gender") and out["gender"] != idcard.gender(number):
                raise ApplicationError(_("The gender does not match the ID number."), field="gender")
    residence = out.get("residence_type", instance.residence_type if instance else ResidenceType.REGISTERED)
    relocation = out.get("relocation_type", instance.relocation_type if instance else "")
    if residence != ResidenceType.RELOCATED and relocation:
        raise ApplicationError(
            _("A relocation type applies only to relocated residents."), field="relocation_type"
        )
    if instance is None:
        for required in ("gender", "birth_date"):
            if required not in out:
                raise ApplicationError(
                    _("%(field)s is required.") % {"field": field_label(required)}, field=required
                )
    return out


def _check_id_free(id_hash: str | None, *, except_pk: int | None = None) -> None:
    if not id_hash:
        return
    clash = Resident.objects.filter(id_number_hash=id_hash)
    if except_pk:
        clash = clash.exclude(pk=except_pk)
    if clash.exists():
        raise ApplicationError(
            _("A resident with this ID number is already registered."), field="id_number", code="duplicate"
        )


@transaction.atomic
def household_create(
    *, actor, house: House, head: dict, number: str | None = None, notes: str = ""
) -> Household:
    """A new household at a house, with its head as its first member."""
    number = (number or "").strip() or next_household_number(house)
    if Household.objects.filter(number=number).exists():
        raise ApplicationError(_("The household number %(n)s is taken.") % {"n": number}, field="number")
    household = Household.objects.create(
        house=house, number=number, territory_path=house.territory_path, notes=notes
    )
    head_resident = resident_add(
        actor=actor, household=household, data={**head, "relation": Relation.HEAD}, move=MoveKind.MOVE_IN
    )
    household.head = head_resident
    household.save(update_fields=["head"])
    audit_record(
        actor=actor,
        action="household.create",
        obj=household,
        summary={"number": number, "house": house.house_code, "head": head_resident.name},
    )
    return household


@transaction.atomic
def household_register(
    *, actor, unit: Territory | None, address: str, house_code: str = "", head: dict, notes: str = ""
) -> Household:
    """A new household with its head, at an existing house (by code) or at a new house in `unit`."""
    house_code = (house_code or "").strip().upper()
    if house_code:
        house = House.objects.filter(house_code=house_code).first()
        if house is None or (unit is not None and house.unit_id != unit.pk):
            raise ApplicationError(_("No house with this code in that unit."), field="house_code")
    else:
        if unit is None:
            raise ApplicationError(_("Choose the unit of the new house."), field="unit")
        house = house_create(actor=actor, unit=unit, address=address)
    return household_create(actor=actor, house=house, head=head, notes=notes)


@transaction.atomic
def resident_add(
    *,
    actor,
    household: Household,
    data: dict,
    move: str = MoveKind.MOVE_IN,
    on: dt.date | None = None,
    note: str = "",
) -> Resident:
    if household.status != HouseholdStatus.ACTIVE:
        raise ApplicationError(_("This household is no longer active."), field="household")
    clean = clean_resident_data(data)
    _check_id_free(clean.get("id_number_hash"))
    resident = Resident(household=household, territory_path=household.territory_path, **clean)
    try:
        with transaction.atomic():
            resident.save()
    except IntegrityError:
        raise ApplicationError(
            _("A resident with this ID number is already registered."), field="id_number", code="duplicate"
        ) from None
    ResidentMove.objects.create(
        resident=resident,
        kind=move,
        to_household=household,
        on=on or clock.today(),
        note=note,
        territory_path=household.territory_path,
    )
    audit_record(
        actor=actor,
        action="resident.add",
        obj=resident,
        summary={"household": household.number, "move": move, **_summary(clean)},
    )
    return resident


def _summary(clean: dict) -> dict:
    """A change summary that never carries protected plaintext or hashes."""
    out = {}
    for key, value in clean.items():
        if key.endswith("_hash"):
            continue
        out[key] = "(changed)" if key in ("id_number", "phone") else value
    return out


@transaction.atomic
def resident_update(*, actor, resident: Resident, data: dict) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    clean = clean_resident_data(data, instance=resident)
    if "id_number_hash" in clean:
        _check_id_free(clean["id_number_hash"], except_pk=resident.pk)
    diff = {}
    for key, value in clean.items():
        if key.endswith("_hash"):
            continue
        old = getattr(resident, key)
        if key in ("id_number", "phone"):
            if (clean.get(f"{key}_hash") or "") != (getattr(resident, f"{key}_hash") or ""):
                diff[key] = "(changed)"
                setattr(resident, key, value)
                setattr(resident, f"{key}_hash", clean[f"{key}_hash"])
        elif old != value:
            diff[key] = [old, value]
            setattr(resident, key, value)
    if diff:
        resident.updated_at = clock.now()
        resident.save()
        audit_record(actor=actor, action="resident.update", obj=resident, summary=diff)
    return resident


@transaction.atomic
def household_update(
    *,
    actor,
    household: Household,
    notes: str | None = None,
    head: Resident | None = None,
    status: str | None = None,
) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    diff = {}
    if notes is not None and notes != household.notes:
        diff["notes"] = [household.notes, notes]
        household.notes = notes
    if head is not None and head.pk != household.head_id:
        if head.household_id != household.pk:
            raise ApplicationError(_("The head must be a member of the household."), field="head")
        old_head = household.head
        diff["head"] = [str(old_head) if old_head else None, str(head)]
        if old_head is not None:
            Resident.objects.filter(pk=old_head.pk).update(relation=Relation.OTHER)
        Resident.objects.filter(pk=head.pk).update(relation=Relation.HEAD)
        household.head = head
    if status is not None and status != household.status:
        if status not in HouseholdStatus.values:
            raise ApplicationError(_("Unknown status."), field="status")
        diff["status"] = [household.status, status]
        household.status = status
    if diff:
        household.updated_at = clock.now()
        household.save()
        audit_record(actor=actor, action="household.update", obj=household, summary=diff)
    return household


@transaction.atomic
def resident_move_out(
    *, actor, resident: Resident, on: dt.date | None = None, note: str = "", deceased: bool = False
) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if resident.status in (ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED):
        raise ApplicationError(_("This resident has already left."))
    household = resident.household
    resident.status = ResidentStatus.DECEASED if deceased else ResidentStatus.MOVED_OUT
    resident.updated_at = clock.now()
    resident.save(update_fields=["status", "updated_at"])
    ResidentMove.objects.create(
        resident=resident,
        kind=MoveKind.DEATH if deceased else MoveKind.MOVE_OUT,
        from_household=household,
        on=on or clock.today(),
        note=note,
        territory_path=resident.territory_path,
    )
    if household is not None and household.head_id == resident.pk:
        Household.objects.filter(pk=household.pk).update(head=None)
    audit_record(
        actor=actor,
        action="resident.move_out",
        obj=resident,
        summary={"household": household.number if household else None, "deceased": deceased, "note": note},
    )
    return resident


@transaction.atomic
def resident_transfer(
    *,
    actor,
    resident: Resident,
    to: Household,
    relation: str = Relation.OTHER,
    on: dt.date | None = None,
    note: str = "",
) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    if to.status != HouseholdStatus.ACTIVE:
        raise ApplicationError(_("That household is no longer active."), field="household")
    if relation not in Relation.values:
        raise ApplicationError(_("Unknown relation."), field="relation")
    if resident.status == ResidentStatus.DECEASED:
        raise ApplicationError(_("A deceased resident cannot change household."))
    source = resident.household
    if source is not None and source.pk == to.pk:
        raise ApplicationError(_("The resident is already in that household."), field="household")
    resident.household = to
    resident.relation = relation
    resident.territory_path = to.territory_path
    resident.status = ResidentStatus.PRESENT
    resident.updated_at = clock.now()
    resident.save()
    Tagging.objects.filter(resident=resident).update(territory_path=to.territory_path)
    ResidentMove.objects.create(
        resident=resident,
        kind=MoveKind.TRANSFER,
        from_household=source,
        to_household=to,
        on=on or clock.today(),
        note=note,
        territory_path=to.territory_path,
    )
    if source is not None and source.head_id == resident.pk:
        Household.objects.filter(pk=source.pk).update(head=None)
    audit_record(
        actor=actor,
        action="resident.transfer",
        obj=resident,
        summary={"from": source.number if source else None, "to": to.number, "note": note},
    )
    return resident


@transaction.atomic
def tag_apply(
    *,
    actor,
    tag: Tag,
    resident: Resident | None = None,
    household: Household | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> Tagging:
    target = resident or household
    if (resident is None) == (household is None):
        raise ApplicationError(_("Tag either a resident or a household."))
    if tag.target != ("resident" if resident else "household"):
        raise ApplicationError(_("This tag does not apply to that kind of record."), field="tag")
    tagging, created = Tagging.objects.get_or_create(
        tag=tag,
        resident=resident,
        household=household,
        defaults={"since": since or clock.today(), "until": until, "territory_path": target.territory_path},
    )
    if created:
        audit_record(actor=actor, action="tag.apply", obj=target, summary={"tag": tag.code, "until": until})
    return tagging


@transaction.atomic
def tag_remove(*, actor, tagging: Tagging) -> None:
    target = tagging.resident or tagging.household
    code = tagging.tag.code
    tagging.delete()
    audit_record(actor=actor, action="tag.remove", obj=target, summary={"tag": code})


# The review queue's writes live beside this file; importing them here keeps one `services` to call.
from civicgrid.registry.services.corrections import correction_approve as correction_approve  # noqa: E402
from civicgrid.registry.services.corrections import correction_propose as correction_propose  # noqa: E402
from civicgrid.registry.services.corrections import correction_reject as correction_reject  # noqa: E402
from civicgrid.registry.services.self_registration import (  # noqa: E402
    self_registration_approve as self_registration_approve,
)
from civicgrid.registry.services.self_registration import (  # noqa: E402
    self_registration_merge as self_registration_merge,
)
from civicgrid.registry.services.self_registration import (  # noqa: E402
    self_registration_reject as self_registration_reject,
)
from civicgrid.registry.services.self_registration import (  # noqa: E402
    self_registration_submit as self_registration_submit,
)
