"""The three visits (三访): visit rules, who is due when, the visits logged, and needs found on them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core import clock
from civicgrid.core.models import Territorial, TimeStamped


class VisitKind(models.TextChoices):
    COMPREHENSIVE = "comprehensive", _("comprehensive home visit")
    DYNAMIC = "dynamic", _("dynamic visit")
    RETURN = "return", _("return visit")
    KEY_PERSON = "key_person", _("key person visit")


class RuleTarget(models.TextChoices):
    ALL_HOUSEHOLDS = "all_households", _("every household")
    TAG = "tag", _("households or residents with a tag")
    CASE_CLOSED = "case_closed", _("a household whose case was closed")


# The kind of visit each target asks for: a rule's kind follows from its target.
TARGET_KIND = {
    RuleTarget.ALL_HOUSEHOLDS: VisitKind.COMPREHENSIVE,
    RuleTarget.TAG: VisitKind.DYNAMIC,
    RuleTarget.CASE_CLOSED: VisitKind.RETURN,
}

# A visit meets the open due rows of these kinds: a comprehensive visit covers a dynamic one too.
MEETS = {
    VisitKind.COMPREHENSIVE: (VisitKind.COMPREHENSIVE, VisitKind.DYNAMIC),
    VisitKind.DYNAMIC: (VisitKind.DYNAMIC,),
    VisitKind.RETURN: (VisitKind.RETURN,),
    VisitKind.KEY_PERSON: (),
}


class VisitRule(Territorial, TimeStamped):
    """Who is visited how often, set on a node for its whole subtree.

    A rule on a lower node overrides the rule for the same target higher up, including when it is
    inactive: an inactive rule switches its target off below its node.
    """

    territory = models.ForeignKey(
        "territory.Territory", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(_("who"), max_length=16, choices=RuleTarget.choices)
    tag = models.ForeignKey(
        "registry.Tag",
        verbose_name=_("tag"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind of visit"), max_length=16, choices=VisitKind.choices, editable=False)
    interval_days = models.PositiveSmallIntegerField(_("every (days)"))
    starts_on = models.DateField(_("starts on"), default=clock.today)
    active = models.BooleanField(pgettext_lazy("rule", "active"), default=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("visit rule")
        verbose_name_plural = _("visit rules")
        constraints = [
            models.UniqueConstraint(
                fields=["territory", "target"],
                condition=Q(tag__isnull=True),
                name="visit_rule_once_per_target",
            ),
            models.UniqueConstraint(
                fields=["territory", "target", "tag"],
                condition=Q(tag__isnull=False),
                name="visit_rule_once_per_tag",
            ),
            models.CheckConstraint(
                condition=Q(target="tag", tag__isnull=False) | (~Q(target="tag") & Q(tag__isnull=True)),
                name="visit_rule_tag_only_for_tag_target",
            ),
            models.CheckConstraint(condition=Q(interval_days__gte=1), name="visit_rule_interval_positive"),
        ]
        indexes = [models.Index(fields=["territory_path"], name="visit_rule_scope_idx")]

    def __str__(self) -> str:
        who = str(self.tag) if self.tag_id else self.get_target_display()
        return f"{who} · {self.interval_days}"

    @property
    def target_key(self) -> tuple[str, int | None]:
        """What a lower rule must match to override this one."""
        return (self.target, self.tag_id)


class Visit(Territorial, TimeStamped):
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("household"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # visit_household_idx leads with it
    )
    # The key person for a key-person visit; otherwise, optionally, the member the visit was about.
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("resident"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind of visit"), max_length=16, choices=VisitKind.choices)
    visited_on = models.DateField(_("visited on"), default=clock.today)
    visitor = models.ForeignKey(
        "accounts.User", verbose_name=_("visited by"), on_delete=models.PROTECT, related_name="+"
    )
    findings = models.TextField(_("what was found"), blank=True)
    all_well = models.BooleanField(_("all well"), default=False)
    needs_help = models.BooleanField(_("needs help"), default=False)
    registry_wrong = models.BooleanField(_("registry data wrong"), default=False)
    safety_hazard = models.BooleanField(_("safety hazard"), default=False)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case raised"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    correction_proposed = models.BooleanField(_("registry correction proposed"), default=False)
    idempotency_key = models.CharField(max_length=120, null=True, blank=True, unique=True, editable=False)

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [
            models.Index(fields=["territory_path", "id"], name="visit_scope_idx"),
            models.Index(fields=["visited_on", "id"], name="visit_log_idx"),  # the log, walked backwards
            models.Index(fields=["household", "kind", "visited_on"], name="visit_household_idx"),
            models.Index(fields=["kind", "visited_on", "territory_path"], name="visit_round_idx"),
        ]

    def __str__(self) -> str:
        # Neutral: this text is stored in audit rows and shown in lists that do not know the reader.
        return f"VISIT-{self.pk} {self.visited_on}"

    FLAGS = ("all_well", "needs_help", "registry_wrong", "safety_hazard")

    @property
    def flags(self) -> list[str]:
        return [str(self._meta.get_field(f).verbose_name) for f in self.FLAGS if getattr(self, f)]


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="photos")
    file = models.FileField(upload_to="visits/%Y/%m/")
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.file.name


class VisitDue(Territorial):
    """A household due for a visit under a rule: open until a visit meets it (or it no longer applies).

    At most one open row per household and rule; return visits have one per household and case.
    """

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("household"), on_delete=models.CASCADE, related_name="+"
    )
    rule = models.ForeignKey(VisitRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="dues")
    kind = models.CharField(_("kind of visit"), max_length=16, choices=VisitKind.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    due_on = models.DateField(_("due on"))
    created_at = models.DateTimeField(default=clock.now, editable=False)
    met_at = models.DateTimeField(pgettext_lazy("due", "met"), null=True, blank=True)
    met_by = models.ForeignKey(Visit, null=True, blank=True, on_delete=models.SET_NULL, related_name="met")
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Set once, by the sweep, when the row is past due: the claim behind the one overdue reminder.
    overdue_noted_at = models.DateTimeField(null=True, blank=True)

    OPEN = Q(met_at__isnull=True, cancelled_at__isnull=True)

    class Meta:
        verbose_name = _("visit due")
        verbose_name_plural = _("visits due")
        constraints = [
            models.UniqueConstraint(
                fields=["household", "rule"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True, case__isnull=True),
                name="visit_due_one_open_per_rule",
            ),
            models.UniqueConstraint(
                fields=["household", "case"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True, case__isnull=False),
                name="visit_due_one_open_per_case",
            ),
        ]
        indexes = [
            models.Index(
                fields=["territory_path", "due_on"],
                name="visit_due_open_idx",
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True),
            ),
            models.Index(
                fields=["due_on"],
                name="visit_due_overdue_idx",
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True, overdue_noted_at__isnull=True),
            ),
            models.Index(fields=["territory_path"], name="visit_due_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.kind} due {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.cancelled_at is None


class NeedStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("need", "open")
    MET = "met", pgettext_lazy("need", "met")


class Need(Territorial, TimeStamped):
    """Something a household needs, found on a visit (a plain list until micro-wishes exist)."""

    household = models.ForeignKey(
        "registry.Household", verbose_name=_("household"), on_delete=models.PROTECT, related_name="+"
    )
    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), null=True, blank=True, on_delete=models.SET_NULL, related_name="needs"
    )
    description = models.TextField(_("what is needed"))
    status = models.CharField(_("status"), max_length=8, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    raised_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    met_at = models.DateTimeField(pgettext_lazy("need", "met"), null=True, blank=True)
    met_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    met_note = models.TextField(_("how it was met"), blank=True)

    class Meta:
        verbose_name = _("need")
        verbose_name_plural = _("needs")
        indexes = [models.Index(fields=["territory_path", "id"], name="need_scope_idx")]

    def __str__(self) -> str:
        return self.description[:60]
