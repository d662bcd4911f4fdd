from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.audit.services import audit_record
from civicgrid.core.errors import ApplicationError
from civicgrid.orgs.models import (
    PARTY_LEVEL_FOR_TERRITORY,
    PARTY_PARENT_LEVEL,
    Organisation,
    OrgKind,
    PartyMembership,
)


@transaction.atomic
def organisation_create(
    *,
    actor,
    kind: str,
    name: str,
    territory,
    parent: Organisation | None = None,
    categories: list[str] | None = None,
    contact_phone: str = "",
) -> Organisation:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("A name is required."), field="name")
    if kind not in OrgKind.values:
        raise ApplicationError(_("Unknown kind of organisation."), field="kind")
    party_level = ""
    if kind == OrgKind.PARTY_ORG:
        party_level = PARTY_LEVEL_FOR_TERRITORY.get(territory.level, "")
        if not party_level:
            raise ApplicationError(
                _("Party organisations sit on a community (committee), grid (branch) or unit (group)."),
                field="territory",
            )
        wanted_parent = PARTY_PARENT_LEVEL.get(party_level)
        if wanted_parent:
            if parent is None or parent.kind != OrgKind.PARTY_ORG or parent.party_level != wanted_parent:
                raise ApplicationError(
                    _("This party organisation needs its parent organisation one level up."), field="parent"
                )
            if not territory.path.startswith(parent.territory_path):
                raise ApplicationError(
                    _("The parent organisation must sit above it in the tree."), field="parent"
                )
    if categories and kind != OrgKind.DEPARTMENT:
        raise ApplicationError(_("Only departments handle categories of matter."), field="categories")
    org = Organisation.objects.create(
        kind=kind,
        name=name,
        territory=territory,
        territory_path=territory.path,
        parent=parent,
        party_level=party_level,
        categories=list(categories or []),
        contact_phone=contact_phone,
    )
    audit_record(
        actor=actor,
        action="organisation.create",
        obj=org,
        summary={"kind": kind, "name": name, "territory": territory.code, "categories": categories or []},
    )
    return org


@transaction.atomic
def organisation_update(
    *,
    actor,
    org: Organisation,
    name: str | None = None,
    categories: list[str] | None = None,
    contact_phone: str | None = None,
    active: bool | None = None,
) -> Organisation:
    diff = {}
    for field, value in (
        ("name", name),
        ("categories", categories),
        ("contact_phone", contact_phone),
        ("active", active),
    ):
        if value is not None and getattr(org, field) != value:
            diff[field] = [getattr(org, field), value]
            setattr(org, field, value)
    if "name" in diff and not org.name.strip():
        raise ApplicationError(_("A name is required."), field="name")
    if diff:
        org.save()
        audit_record(actor=actor, action="organisation.update", obj=org, summary=diff)
    return org


@transaction.atomic
def party_member_join(
    *,
    actor,
    resident,
    organisation: Organisation,
    joined_on: dt.date | None = None,
    inservice: bool = False,
    workplace: str = "",
) -> PartyMembership:
    if organisation.kind != OrgKind.PARTY_ORG:
        raise ApplicationError(_("Party members belong to a party organisation."), field="organisation")
    if PartyMembership.objects.filter(resident=resident, until__isnull=True).exists():
        raise ApplicationError(_("This resident already belongs to a party organisation."), field="resident")
    membership = PartyMembership.objects.create(
        resident=resident,
        organisation=organisation,
        joined_on=joined_on,
        inservice=inservice,
        workplace=workplace,
        territory_path=organisation.territory_path,
    )
    audit_record(
        actor=actor,
        action="party_member.join",
        obj=membership,
        summary={"organisation": organisation.name, "inservice": inservice},
    )
    return membership
