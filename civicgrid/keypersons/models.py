"""Key persons under three-colour management (重点人员 三色管理).

A key person is a resident of the registry under a category (drug rehabilitation, community
correction, …) with a risk colour. The colour sets how often they are visited; the category sets when
the status ends. Nothing here hangs off the resident (no reverse accessor): registry pages, exports
and the API cannot reach a key person by accident, only through this module's selectors.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from civicgrid.core import clock
from civicgrid.core.models import Territorial, TimeStamped


class RiskColour(models.TextChoices):
    RED = "red", _("red")
    YELLOW = "yellow", _("yellow")
    GREEN = "green", _("green")


# Most attention first: lists and counts follow this order.
COLOUR_ORDER = [RiskColour.RED, RiskColour.YELLOW, RiskColour.GREEN]


class Status(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("key person status", "active")
    LAPSED = "lapsed", pgettext_lazy("key person status", "lapsed")
    ENDED = "ended", pgettext_lazy("key person status", "ended")


class EndRule(models.TextChoices):
    YEARS = "years", _("lapses a number of years after the start")
    END_DATE = "end_date", _("ends on a date entered for each person")
    REVIEW = "review", _("no automatic lapse: the colour is reviewed every year")


class KeyPersonCategory(models.Model):
    """A kind of key person. National defaults have no territory; a county adds its own."""

    code = models.SlugField(_("code"), max_length=40)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    end_rule = models.CharField(_("how the status ends"), max_length=16, choices=EndRule.choices)
    lapse_years = models.PositiveSmallIntegerField(_("lapses after (years)"), null=True, blank=True)
    territory = models.ForeignKey(
        "territory.Territory",
        verbose_name=_("defined by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("The county that defined this category; empty for the national defaults."),
        db_index=False,  # kp_category_county_code leads with it
    )
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    class Meta:
        verbose_name = _("key-person category")
        verbose_name_plural = _("key-person categories")
        ordering = ["order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["code"], condition=Q(territory__isnull=True), name="kp_category_national_code"
            ),
            models.UniqueConstraint(fields=["territory", "code"], name="kp_category_county_code"),
            models.CheckConstraint(
                condition=Q(end_rule="years", lapse_years__gte=1)
                | (~Q(end_rule="years") & Q(lapse_years=None)),
                name="kp_category_years_only_for_years_rule",
            ),
        ]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class KeyPerson(Territorial, TimeStamped):
    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("resident"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        KeyPersonCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="+"
    )
    risk_colour = models.CharField(_("colour"), max_length=8, choices=RiskColour.choices)
    reason = models.TextField(_("reason"))
    since = models.DateField(_("since"))
    until = models.DateField(_("until"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.ACTIVE)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("why it ended"), max_length=300, blank=True)
    # Stored so the lists and the sweep find who is due with an index, never by computing per row.
    next_visit_due = models.DateField(_("next visit due"), null=True, blank=True)
    last_visited_on = models.DateField(_("last visited on"), null=True, blank=True)
    review_due = models.DateField(_("colour review due"), null=True, blank=True)
    # The due dates the sweep has already alerted about: one alert per missed date, never two.
    visit_alerted_for = models.DateField(null=True, blank=True, editable=False)
    review_alerted_for = models.DateField(null=True, blank=True, editable=False)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        indexes = [
            models.Index(fields=["territory_path", "id"], name="keyperson_scope_idx"),
            models.Index(fields=["status", "next_visit_due", "id"], name="keyperson_due_idx"),
            models.Index(fields=["status", "until"], name="keyperson_until_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "category"],
                condition=Q(status="active"),
                name="keyperson_one_active_per_category",
            ),
        ]

    def __str__(self) -> str:
        # Audit rows print objects; a number keeps the person's name out of the log's text.
        return f"KP-{self.pk}"

    @property
    def overdue(self) -> bool:
        return bool(
            self.status == Status.ACTIVE and self.next_visit_due and self.next_visit_due < clock.today()
        )


class Action(models.TextChoices):
    REGISTER = "register", _("registered")
    REVIEW = "review", _("reviewed")
    END = "end", _("ended")
    LAPSE = "lapse", _("lapsed at the end of its period")


class KeyPersonReview(models.Model):
    """The history of a key person: registration, each colour review, and how the status ended."""

    key_person = models.ForeignKey(KeyPerson, on_delete=models.PROTECT, related_name="reviews")
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    colour_from = models.CharField(_("colour before"), max_length=8, choices=RiskColour.choices, blank=True)
    colour_to = models.CharField(_("colour after"), max_length=8, choices=RiskColour.choices)
    reason = models.TextField(_("reason"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=clock.now)

    class Meta:
        verbose_name = _("key-person review")
        verbose_name_plural = _("key-person reviews")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.key_person} {self.action} {self.at:%Y-%m-%d}"


class VisitCadence(Territorial):
    """How often a colour is visited on a node and below, unless a node further down says otherwise."""

    territory = models.ForeignKey(
        "territory.Territory",
        verbose_name=_("territory"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # visit_cadence_one_per_colour leads with it
    )
    risk_colour = models.CharField(_("colour"), max_length=8, choices=RiskColour.choices)
    every_days = models.PositiveSmallIntegerField(_("visit every (days)"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    set_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("visit cadence")
        verbose_name_plural = _("visit cadences")
        constraints = [
            models.UniqueConstraint(fields=["territory", "risk_colour"], name="visit_cadence_one_per_colour"),
        ]
        indexes = [models.Index(fields=["territory_path"], name="visit_cadence_scope_idx")]

    def __str__(self) -> str:
        return f"{self.territory_id} {self.risk_colour} {self.every_days}"


class AlertKind(models.TextChoices):
    VISIT_OVERDUE = "visit_overdue", _("visit overdue")
    REVIEW_DUE = "review_due", _("colour review due")


class KeyPersonAlert(models.Model):
    """One alert the sweep sent: a missed due date, and how many designated users it told."""

    key_person = models.ForeignKey(
        KeyPerson,
        on_delete=models.PROTECT,
        related_name="alerts",
        db_index=False,  # keyperson_alert_once leads with it
    )
    kind = models.CharField(max_length=16, choices=AlertKind.choices)
    due_on = models.DateField()
    at = models.DateTimeField(default=clock.now)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("key-person alert")
        verbose_name_plural = _("key-person alerts")
        constraints = [
            models.UniqueConstraint(fields=["key_person", "kind", "due_on"], name="keyperson_alert_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key_person} {self.kind} {self.due_on}"


class KeyPersonVisit(models.Model):
    """A visit the visits module logged for this person (its `visit.logged` event), for the history."""

    key_person = models.ForeignKey(
        KeyPerson,
        on_delete=models.PROTECT,
        related_name="visits",
        db_index=False,  # keyperson_visit_once leads with it
    )
    visit_id = models.PositiveBigIntegerField(_("visit"), null=True, blank=True)
    visited_on = models.DateField(_("visited on"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("key-person visit")
        verbose_name_plural = _("key-person visits")
        constraints = [
            models.UniqueConstraint(fields=["key_person", "visit_id"], name="keyperson_visit_once"),
        ]

    def __str__(self) -> str:
        return f"{self.key_person} {self.visited_on}"
