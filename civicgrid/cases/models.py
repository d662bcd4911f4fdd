"""Cases (诉求): a demand received by any channel, settled at the lowest tier that can, on time, rated."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from civicgrid.core import clock
from civicgrid.core.models import Territorial, TimeStamped
from civicgrid.core.protected import ProtectedField


class Tier(models.TextChoices):
    """From the lowest: small matters stay in the grid, big ones in the community (the Fengqiao tiers)."""

    UNIT = "unit", _("unit")
    GRID = "grid", _("grid")
    COMMUNITY = "community", _("village / community")
    TOWN = "town", _("town / subdistrict")
    DEPARTMENT = "department", _("department")


TIER_ORDER = [Tier.UNIT, Tier.GRID, Tier.COMMUNITY, Tier.TOWN, Tier.DEPARTMENT]


class Channel(models.TextChoices):
    HOTLINE_12345 = "hotline_12345", _("12345 hotline")
    NEIGHBOUR_HOTLINE = "neighbour_hotline", _("neighbourhood hotline")
    WALK_IN = "walk_in", _("walk-in")
    WECHAT = "wechat", _("WeChat group")
    SUGGESTION_BOX = "suggestion_box", _("suggestion box")
    VISIT = "visit", _("home visit")
    PORTAL = "portal", _("resident portal (QR door plate)")
    OPEN311 = "open311", _("Open311 client")
    PATROL = "patrol", _("patrol")


class Urgency(models.TextChoices):
    EMERGENCY = "emergency", _("emergency")
    URGENT = "urgent", _("urgent (water, power, gas, extreme weather)")
    NORMAL = "normal", _("normal")


# A badge's word for the urgency: the form's labels explain what counts as urgent, a row has no room.
URGENCY_BADGE = {
    Urgency.EMERGENCY: _("emergency"),
    Urgency.URGENT: pgettext_lazy("urgency badge", "urgent"),
    Urgency.NORMAL: _("normal"),
}


class State(models.TextChoices):
    RECEIVED = "received", _("received")
    HANDLING = "handling", _("being handled")
    RESOLVED = "resolved", _("resolved, awaiting rating")
    CLOSED = "closed", _("closed")
    MERGED = "merged", _("merged into another case")


OPEN_STATES = (State.RECEIVED, State.HANDLING)


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY = "basically", _("basically satisfied")
    UNSATISFIED = "unsatisfied", _("unsatisfied")


class ReopenTo(models.TextChoices):
    SAME = "same", _("the same tier")
    NEXT = "next", _("the next tier up")


class Category(models.Model):
    """The catalogue of matters, a shallow tree. Limits are per urgency; see `limits_for`."""

    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("parent category"),
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("Chinese name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=80)
    start_tier = models.CharField(_("starting tier"), max_length=16, choices=Tier.choices, default=Tier.GRID)
    default_urgency = models.CharField(
        _("default urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    # {"emergency": {"respond_hours": 1, "resolve_days": 1}, "urgent": {...}, "normal": {...}}
    limits = models.JSONField(_("time limits by urgency"), default=dict, blank=True)
    reopen_to = models.CharField(
        _("an unsatisfied rating reopens at"), max_length=8, choices=ReopenTo.choices, default=ReopenTo.SAME
    )
    public = models.BooleanField(_("offered to residents and Open311 clients"), default=True)
    active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh


class Case(Territorial, TimeStamped):
    # Unique by a constraint of Meta (its index only: a field's `unique` adds a LIKE index on PostgreSQL,
    # and codes are only ever looked up whole). The same for the idempotency key.
    code = models.CharField(_("tracking code"), max_length=20)
    channel = models.CharField(_("channel"), max_length=24, choices=Channel.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="cases"
    )
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"))
    # Where the case sits in the tree: usually the grid (or unit) of the place it is about.
    territory = models.ForeignKey(
        "territory.Territory", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    house = models.ForeignKey(
        "registry.House",
        verbose_name=_("house"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    address = models.CharField(_("address"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.RECEIVED)
    # The reporter: a registered resident, a user, or nobody (anonymous: the tracking code is the key).
    reporter_resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="reported_cases"
    )
    reporter_name = models.CharField(_("reporter's name"), max_length=50, blank=True)
    reporter_phone = ProtectedField(_("reporter's phone"), kind="phone")
    anonymous = models.BooleanField(_("anonymous"), default=False)
    external_id = models.CharField(
        _("external reference"), max_length=64, blank=True
    )  # echoed, never searched
    idempotency_key = models.CharField(max_length=100, null=True, blank=True, editable=False)
    # What the keyed request asked for (core/idempotency.py): a key sent again for another request is refused.
    idempotency_fingerprint = models.CharField(max_length=64, blank=True, default="", editable=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    handler = models.ForeignKey(
        "accounts.User",
        verbose_name=_("handler"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handled_cases",
        db_index=False,  # case_handler_idx leads with it
    )
    # Milestones, for the measures: first response, resolution, rating.
    responded_at = models.DateTimeField(_("responded"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    settled_tier = models.CharField(_("settled at tier"), max_length=16, choices=Tier.choices, blank=True)
    on_the_spot = models.BooleanField(_("solved on the spot"), default=False)
    dispatched = models.BooleanField(_("dispatched to a department"), default=False)
    resolution = models.TextField(_("resolution"), blank=True)
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.TextField(_("rating comment"), blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("times reopened"), default=0)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["code"], name="case_code_unique"),
            models.UniqueConstraint(fields=["idempotency_key"], name="case_idempotency_key_unique"),
        ]
        indexes = [
            models.Index(fields=["territory_path", "id"], name="case_scope_idx"),
            models.Index(fields=["state", "territory_path"], name="case_state_scope_idx"),
            models.Index(fields=["handler", "state"], name="case_handler_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    @property
    def urgency_badge(self) -> str:
        return URGENCY_BADGE.get(self.urgency, self.urgency)

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class CaseAssignment(Territorial):
    """A case dispatched to a department; several at once is co-handling (one lead)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="case_assignments",
        db_index=False,  # assignment_department_idx leads with it
    )
    lead = models.BooleanField(_("lead department"), default=True)
    assigned_at = models.DateTimeField(default=clock.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("dispatch")
        verbose_name_plural = _("dispatches")
        constraints = [
            models.UniqueConstraint(
                fields=["case", "department"],
                condition=Q(active=True),
                name="assignment_one_active_per_department",
            )
        ]
        indexes = [
            models.Index(fields=["department", "active"], name="assignment_department_idx"),
            models.Index(fields=["territory_path"], name="assignment_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case.code} → {self.department}"


class CaseEvent(models.Model):
    """The timeline: append-only, one row per action. Residents see the public rows."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=clock.now)
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    action = models.CharField(_("action"), max_length=32)
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    tier = models.CharField(max_length=16, blank=True)
    note = models.TextField(_("note"), blank=True)
    public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.action}"

    @property
    def shown_note(self) -> str:
        """The note in the reader's language. A person's note is shown as written. The system's own
        (a time limit passed) is kept as its facts in `data` and worded when read, in the reader's
        language and time zone: written once by the sweep, it was in the server's language, with the
        limit's time in UTC."""
        passed = self.data.get("limit_passed") if isinstance(self.data, dict) else None
        if self.note or not passed:
            return self.note
        due = timezone.localtime(dt.datetime.fromisoformat(passed["due"]))
        return gettext("Time limit passed (%(kind)s, due %(due)s).") % {
            "kind": DeadlineKind(passed["kind"]).label,
            "due": f"{due:%Y-%m-%d %H:%M}",
        }


class Attachment(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="attachments")
    event = models.ForeignKey(
        CaseEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="attachments"
    )
    file = models.FileField(upload_to="cases/%Y/%m/")
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    public = models.BooleanField(default=True)
    uploaded_at = models.DateTimeField(default=clock.now)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.file.name


class DeadlineKind(models.TextChoices):
    RESPOND = "respond", _("respond")
    RESOLVE = "resolve", _("resolve")


class Deadline(models.Model):
    """A time limit of a case. The sweep claims each one exactly once (breached_at) and escalates."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="deadlines", db_index=False
    )  # deadline_once_per_round leads with it
    kind = models.CharField(max_length=16, choices=DeadlineKind.choices)
    round = models.PositiveSmallIntegerField(default=1)
    tier = models.CharField(max_length=16, choices=Tier.choices)
    due_at = models.DateTimeField()
    warn_at = models.DateTimeField()
    warned_at = models.DateTimeField(null=True, blank=True)
    met_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")
        constraints = [
            models.UniqueConstraint(fields=["case", "kind", "round"], name="deadline_once_per_round")
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="deadline_due_open_idx",
                condition=Q(met_at__isnull=True, breached_at__isnull=True, cancelled_at__isnull=True),
            ),
            models.Index(
                fields=["warn_at"],
                name="deadline_warn_open_idx",
                condition=Q(warned_at__isnull=True, met_at__isnull=True, cancelled_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} #{self.round} due {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def is_open(self) -> bool:
        return self.met_at is None and self.breached_at is None and self.cancelled_at is None


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")
    LAPSED = "lapsed", _("lapsed: the limit ended first")


class Extension(models.Model):
    """A request for more time on a deadline, decided by the tier above."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="extensions")
    requested_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    days = models.PositiveSmallIntegerField(_("extra working days"))
    reason = models.TextField(_("reason"))
    status = models.CharField(max_length=16, choices=ExtensionStatus.choices, default=ExtensionStatus.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")

    def __str__(self) -> str:
        return f"{self.deadline} +{self.days}d ({self.status})"


class Follower(models.Model):
    """Reporters of a case, including those of duplicates merged into it: all get its updates."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    resident = models.ForeignKey(
        "registry.Resident", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    source_case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("follower")
        verbose_name_plural = _("followers")

    def __str__(self) -> str:
        return f"{self.case_id} ← {self.user_id or self.resident_id}"


# --- Measures (三率): what each case adds to the roll-up, and the roll-up itself. See docs/measures.md.


class MeasureCounters(models.Model):
    """The counters of the measures. For one case each is 0 or 1; a roll-up row holds their sums."""

    received = models.IntegerField(_("received"), default=0)
    merged = models.IntegerField(_("merged as duplicates"), default=0)
    responded = models.IntegerField(_("responded"), default=0)
    responded_in_time = models.IntegerField(_("responded within the limit"), default=0)
    resolved = models.IntegerField(_("resolved"), default=0)
    resolved_in_time = models.IntegerField(_("resolved within the limit"), default=0)
    rated = models.IntegerField(_("rated"), default=0)
    satisfied = models.IntegerField(_("satisfied"), default=0)
    basically = models.IntegerField(_("basically satisfied"), default=0)
    settled_grid = models.IntegerField(_("settled at grid or unit"), default=0)
    settled_community = models.IntegerField(_("settled at community"), default=0)
    on_the_spot = models.IntegerField(_("solved on the spot"), default=0)
    dispatched = models.IntegerField(_("dispatched to departments"), default=0)
    dispatched_resolved = models.IntegerField(_("dispatched and resolved"), default=0)
    dispatched_in_time = models.IntegerField(_("dispatched and resolved within the limit"), default=0)

    class Meta:
        abstract = True


COUNTERS = tuple(f.name for f in MeasureCounters._meta.local_fields)


class StatGrain(models.TextChoices):
    DAY = "d", _("day")
    MONTH = "m", _("month")
    YEAR = "y", _("year")


class CaseStat(Territorial, MeasureCounters):
    """The roll-up: sums of the case tallies by place, period, category, department and handler.

    Kept in the same transaction as every case transition (`measures_tally.case_changed`), rebuilt by
    `civicgrid rebuild_case_stats`. Each case is counted in the day, the month and the year it was
    received (local time; `period` is the first day of each); a subtree is a range on
    `territory_path`. Department and handler are ids with 0 for none, not NULL, so the row key stays
    unique on every database.
    """

    grain = models.CharField(max_length=1, choices=StatGrain.choices)
    period = models.DateField(_("period"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    department = models.PositiveBigIntegerField(_("department"), default=0)
    handler = models.PositiveBigIntegerField(_("handler"), default=0)

    class Meta:
        verbose_name = _("case statistic")
        verbose_name_plural = _("case statistics")
        constraints = [
            models.UniqueConstraint(
                fields=["grain", "period", "territory_path", "category", "department", "handler"],
                name="case_stat_key",
            )
        ]
        indexes = [
            models.Index(fields=["territory_path", "period"], name="case_stat_scope_idx"),
            models.Index(fields=["department", "grain", "period"], name="case_stat_department_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.period} {self.territory_path} {self.category_id}"


class CaseTally(Territorial, MeasureCounters):
    """What one case adds to `CaseStat` now. A transition subtracts this and adds the case's new tally."""

    case = models.OneToOneField(Case, primary_key=True, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("received on"))
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="+")
    department = models.PositiveBigIntegerField(default=0)
    handler = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("case tally")
        verbose_name_plural = _("case tallies")
        indexes = [models.Index(fields=["territory_path"], name="case_tally_scope_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.day}"


AREA_DEPTH = 3  # the roll-up by area keeps the tree's top three levels (county, town, community)


class AreaDim:
    """What a `CaseStatArea` row is split by; its `value` is the id (0 for the total)."""

    TOTAL = "t"
    DEPARTMENT = "d"
    CATEGORY = "c"
    HANDLER = "h"


class CaseStatArea(Territorial, MeasureCounters):
    """The roll-up by area: what the dashboard of a county, town or community reads.

    Each case counts, in its day, month and year, once for each of its places at depths 1 to
    `AREA_DEPTH` (`territory_path` is the case's path cut to `depth` segments), in the row of
    everything (`dim` total) and in the rows of its category, its lead department and its resolver
    (`value`, when it has one). A node's figures are then a handful of rows, not one row per grid and
    combination as in `CaseStat`. Kept in the same transaction as `CaseStat`, rebuilt with it.
    """

    territory_path = models.CharField(_("territory path"), max_length=64, editable=False)
    grain = models.CharField(max_length=1, choices=StatGrain.choices)
    period = models.DateField(_("period"))
    depth = models.PositiveSmallIntegerField()
    dim = models.CharField(max_length=1)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            # Also the index of every reading: one dimension at one depth, a path or a range of them.
            models.UniqueConstraint(
                fields=["dim", "depth", "territory_path", "grain", "period", "value"],
                name="case_stat_area_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grain} {self.period} {self.territory_path} {self.dim}{self.value}"
