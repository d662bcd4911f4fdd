"""Organisations: the party organisation tree, departments, partners, mass organisations, property."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core import clock
from civicgrid.core.models import Territorial, TimeStamped


class OrgKind(models.TextChoices):
    PARTY_ORG = "party_org", _("party organisation")
    DEPARTMENT = "department", _("functional department")
    PARTNER_UNIT = "partner_unit", _("co-construction unit")
    ALLIANCE = "alliance", _("party-building alliance")
    MASS_ORG = "mass_org", _("mass organisation")
    PROPERTY_COMPANY = "property_company", _("property company")
    OWNERS_COMMITTEE = "owners_committee", _("owners' committee")
    MEDIATION_COMMITTEE = "mediation_committee", _("people's mediation committee")


class PartyLevel(models.TextChoices):
    NONE = "", _("—")
    COMMITTEE = "committee", _("community party committee")
    BRANCH = "branch", _("grid party branch")
    GROUP = "group", _("unit party group")


# A party organisation's level follows from the territory level it sits on.
PARTY_LEVEL_FOR_TERRITORY = {
    "community": PartyLevel.COMMITTEE,
    "grid": PartyLevel.BRANCH,
    "unit": PartyLevel.GROUP,
}
PARTY_PARENT_LEVEL = {PartyLevel.BRANCH: PartyLevel.COMMITTEE, PartyLevel.GROUP: PartyLevel.BRANCH}


class Organisation(Territorial, TimeStamped):
    kind = models.CharField(_("kind"), max_length=24, choices=OrgKind.choices)
    name = models.CharField(_("name"), max_length=120)
    # The node the organisation sits on or serves; a department serves that node's whole subtree.
    territory = models.ForeignKey(
        "territory.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    party_level = models.CharField(
        _("party level"), max_length=16, choices=PartyLevel.choices, blank=True, default=""
    )
    # For departments: the categories of matter they handle (category codes).
    categories = models.JSONField(_("categories handled"), default=list, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["kind", "territory_path", "name"]
        indexes = [
            models.Index(fields=["kind", "territory_path"], name="org_kind_scope_idx"),
            models.Index(fields=["territory_path"], name="org_scope_idx"),
        ]

    def __str__(self) -> str:
        return self.name


class PartyMembership(Territorial):
    """A party member (a resident) belongs to one party organisation; in-service members report here."""

    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="party_memberships",
        db_index=False,  # membership_unique leads with it
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("party organisation"),
        on_delete=models.PROTECT,
        related_name="memberships",
    )
    joined_on = models.DateField(_("joined"), null=True, blank=True)
    inservice = models.BooleanField(_("in-service member reporting to the community"), default=False)
    workplace = models.CharField(_("workplace"), max_length=120, blank=True)
    since = models.DateField(_("member here since"), default=clock.today)
    until = models.DateField(_("until"), null=True, blank=True)

    class Meta:
        verbose_name = _("party membership")
        verbose_name_plural = _("party memberships")
        constraints = [models.UniqueConstraint(fields=["resident", "organisation"], name="membership_unique")]
        indexes = [models.Index(fields=["territory_path"], name="membership_scope_idx")]

    def __str__(self) -> str:
        return f"{self.resident} · {self.organisation}"
