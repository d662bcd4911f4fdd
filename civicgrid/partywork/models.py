"""Party work: contact pairings (党员联系户) with their weekly contacts, and in-service party members.

A party member here is a user holding the `party_member` role on a grid: the person who logs in,
records contacts and is reminded. A pairing's `territory_path` is its household's, so a unit moved to
another grid takes its pairings along and every list is scoped on the row itself.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core import clock
from civicgrid.core.models import Territorial, TimeStamped


class EndReason(models.TextChoices):
    ENDED = "ended", _("ended")
    MOVED_AWAY = "moved_away", _("member moved away")
    HANDED_OVER = "handed_over", _("handed over to another member")


class ContactPairing(Territorial, TimeStamped):
    """A party member paired with a contact household, from `since` until the day it ended."""

    member = models.ForeignKey(
        "accounts.User",
        verbose_name=_("party member"),
        on_delete=models.PROTECT,
        related_name="contact_pairings",
        db_index=False,  # pairing_member_idx leads with it
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("contact household"),
        on_delete=models.PROTECT,
        related_name="contact_pairings",
    )
    since = models.DateField(_("since"), default=clock.today)
    # The day it ended; the pairing is in force on the days before it. Empty while in force.
    until = models.DateField(_("until"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=16, choices=EndReason.choices, blank=True)
    # The pairing this one took over in a hand-over, so the history reads as a chain.
    previous = models.OneToOneField(
        "self",
        verbose_name=_("took over from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="next",
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("contact pairing")
        verbose_name_plural = _("contact pairings")
        indexes = [
            models.Index(fields=["territory_path", "id"], name="pairing_scope_idx"),
            models.Index(fields=["member", "until"], name="pairing_member_idx"),
        ]
        constraints = [
            # One member answers for a household at a time.
            models.UniqueConstraint(
                fields=["household"], condition=Q(until__isnull=True), name="pairing_one_in_force"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.household}"


class ContactMethod(models.TextChoices):
    VISIT = "visit", _("home visit")
    PHONE = "phone", _("phone call")
    WECHAT = "wechat", _("WeChat")
    OTHER = "other", _("other")


class ContactLog(Territorial):
    """One contact a member made with a paired household. Weeks and months count these."""

    pairing = models.ForeignKey(
        ContactPairing,
        verbose_name=_("contact pairing"),
        on_delete=models.PROTECT,
        related_name="logs",
        db_index=False,  # contact_pairing_day_idx leads with it
    )
    member = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    method = models.CharField(_("how"), max_length=16, choices=ContactMethod.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    # The local day of the contact: weeks (Monday first) and months are counted in the deployment's zone.
    contacted_on = models.DateField(_("contacted on"), default=clock.today)
    recorded_at = models.DateTimeField(_("recorded"), default=clock.now, editable=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-contacted_on", "-id"]
        indexes = [
            models.Index(fields=["pairing", "contacted_on"], name="contact_pairing_day_idx"),
            models.Index(fields=["territory_path", "contacted_on"], name="contact_scope_day_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household} {self.contacted_on} {self.get_method_display()}"


class ContactReminder(models.Model):
    """A member was reminded of uncontacted households in the week starting `week`: at most once."""

    member = models.ForeignKey(
        "accounts.User",
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # reminder_once_a_week leads with it
    )
    week = models.DateField(_("week starting"))
    households = models.PositiveIntegerField(_("households not contacted"))
    sent_at = models.DateTimeField(_("sent"), default=clock.now)

    class Meta:
        verbose_name = _("contact reminder")
        verbose_name_plural = _("contact reminders")
        constraints = [models.UniqueConstraint(fields=["member", "week"], name="reminder_once_a_week")]

    def __str__(self) -> str:
        return f"{self.member} {self.week}"


class InservicePartyMember(Territorial, TimeStamped):
    """An in-service party member reporting to the community where they live (在职党员到社区报到).

    Either a user with the `inservice_party_member` role registered themselves, or the community
    entered the record for someone without a login.
    """

    community = models.ForeignKey(
        "territory.Territory", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("login"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="inservice_reports",
    )
    membership = models.ForeignKey(
        "orgs.PartyMembership",
        verbose_name=_("party membership"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    workplace = models.CharField(_("workplace"), max_length=120)
    reported_on = models.DateField(_("reported on"), default=clock.today)
    until = models.DateField(_("left on"), null=True, blank=True)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("in-service party member")
        verbose_name_plural = _("in-service party members")
        indexes = [models.Index(fields=["territory_path", "id"], name="inservice_scope_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["community", "user"],
                condition=Q(user__isnull=False, until__isnull=True),
                name="inservice_once_per_community",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PledgeCategory(models.TextChoices):
    TUTORING = "tutoring", _("tutoring")
    LEGAL_ADVICE = "legal_advice", _("legal advice")
    CLEANING = "cleaning", _("cleaning")
    HEALTH = "health", _("health care")
    ELDERLY_CARE = "elderly_care", _("care for the elderly")
    REPAIRS = "repairs", _("repairs")
    CULTURE = "culture", _("culture and publicity")
    OTHER = "other", _("other")


class Pledge(Territorial, TimeStamped):
    """A service an in-service member pledges to the community."""

    member = models.ForeignKey(
        InservicePartyMember,
        verbose_name=_("in-service party member"),
        on_delete=models.PROTECT,
        related_name="pledges",
    )
    category = models.CharField(_("category"), max_length=16, choices=PledgeCategory.choices)
    what = models.CharField(_("what"), max_length=200)
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    class Meta:
        verbose_name = _("pledge")
        verbose_name_plural = _("pledges")
        ordering = ["id"]
        indexes = [models.Index(fields=["territory_path"], name="pledge_scope_idx")]

    def __str__(self) -> str:
        return self.what


class ServiceStatus(models.TextChoices):
    PENDING = "pending", _("waiting for confirmation")
    CONFIRMED = "confirmed", _("confirmed")
    REJECTED = "rejected", _("not confirmed")


class ServiceRecord(Territorial, TimeStamped):
    """A service an in-service member performed; its hours count once the community confirms it."""

    member = models.ForeignKey(
        InservicePartyMember,
        verbose_name=_("in-service party member"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    pledge = models.ForeignKey(
        Pledge,
        verbose_name=_("pledge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="services",
    )
    done_on = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1)
    what = models.CharField(_("what was done"), max_length=300)
    status = models.CharField(
        _("status"), max_length=16, choices=ServiceStatus.choices, default=ServiceStatus.PENDING
    )
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_note = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("service record")
        verbose_name_plural = _("service records")
        ordering = ["-done_on", "-id"]
        indexes = [models.Index(fields=["territory_path", "done_on"], name="service_scope_day_idx")]

    def __str__(self) -> str:
        return f"{self.member} {self.done_on} {self.what}"
