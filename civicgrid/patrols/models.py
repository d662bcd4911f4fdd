"""Voluntary patrol teams (义务巡逻队): a team on a community or grid, its members and areas, planned
shifts with each member's check-in and check-out, and what members find on the way.

Every row stores its team's territory path, so every list and every sum of hours is scoped by a range
on the row itself. A member is a user (volunteer, party member, grid staff) or, for a resident without
an account, a name the team leader records; nothing more about that resident is kept here.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core import clock
from civicgrid.core.models import Territorial, TimeStamped


class PatrolTeam(Territorial, TimeStamped):
    territory = models.ForeignKey(
        "territory.Territory", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=80)
    description = models.TextField(pgettext_lazy("patrol", "description"), blank=True)
    # The leader is one of the members with an account: they plan shifts and record attendance.
    leader = models.ForeignKey(
        "accounts.User",
        verbose_name=_("team leader"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("patrol team")
        verbose_name_plural = _("patrol teams")
        indexes = [models.Index(fields=["territory_path", "id"], name="patrol_team_scope_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.retired_at is None


class PatrolMember(Territorial):
    team = models.ForeignKey(
        PatrolTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="members"
    )
    user = models.ForeignKey(
        "accounts.User",
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrol_memberships",
    )
    # Only for a member without an account; a member with one is named by the account.
    name = models.CharField(_("name"), max_length=50, blank=True)
    joined_at = models.DateTimeField(pgettext_lazy("patrol", "joined"), default=clock.now)
    left_at = models.DateTimeField(pgettext_lazy("patrol", "left"), null=True, blank=True)

    class Meta:
        verbose_name = _("patrol member")
        verbose_name_plural = _("patrol members")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(name="")) | (Q(user__isnull=True) & ~Q(name="")),
                name="patrol_member_user_or_name",
            ),
            models.UniqueConstraint(
                fields=["team", "user"], condition=Q(left_at__isnull=True), name="patrol_member_once"
            ),
        ]
        indexes = [models.Index(fields=["territory_path"], name="patrol_member_scope_idx")]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return str(self.user) if self.user_id else self.name

    @property
    def is_active(self) -> bool:
        return self.left_at is None


class PatrolArea(Territorial):
    """Where a team patrols: a grid or unit of the team's place, or a route or area drawn as GeoJSON."""

    team = models.ForeignKey(
        PatrolTeam, verbose_name=_("team"), on_delete=models.CASCADE, related_name="areas"
    )
    name = models.CharField(_("name"), max_length=80)
    territory = models.ForeignKey(
        "territory.Territory",
        verbose_name=_("grid or unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    route = models.JSONField(_("route or area (GeoJSON)"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("patrol area")
        verbose_name_plural = _("patrol areas")
        indexes = [models.Index(fields=["territory_path"], name="patrol_area_scope_idx")]

    def __str__(self) -> str:
        return self.name


class PatrolShift(Territorial, TimeStamped):
    team = models.ForeignKey(
        PatrolTeam,
        verbose_name=_("team"),
        on_delete=models.PROTECT,
        related_name="shifts",
        db_index=False,  # patrol_shift_team_idx leads with it
    )
    area = models.ForeignKey(
        PatrolArea, verbose_name=_("area"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    # The planned end plus the grace period: the sweep closes a shift still open at this time.
    closes_at = models.DateTimeField(_("closes"), editable=False)
    closed_at = models.DateTimeField(pgettext_lazy("patrol", "closed"), null=True, blank=True, editable=False)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("patrol shift")
        verbose_name_plural = _("patrol shifts")
        indexes = [
            models.Index(fields=["territory_path", "starts_at", "id"], name="patrol_shift_scope_idx"),
            models.Index(fields=["team", "starts_at"], name="patrol_shift_team_idx"),
            models.Index(
                fields=["closes_at"], condition=Q(closed_at__isnull=True), name="patrol_shift_open_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="patrol_shift_ends_after"
            )
        ]

    def __str__(self) -> str:
        return f"{self.team} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"

    @property
    def duration(self) -> dt.timedelta:
        return self.ends_at - self.starts_at


class Attendance(Territorial):
    """One member on one shift: expected when planned, then checked in and out (once each)."""

    shift = models.ForeignKey(
        PatrolShift,
        verbose_name=_("shift"),
        on_delete=models.CASCADE,
        related_name="attendances",
        db_index=False,  # patrol_attendance_once leads with it
    )
    member = models.ForeignKey(
        PatrolMember,
        verbose_name=_("member"),
        on_delete=models.PROTECT,
        related_name="attendances",
        db_index=False,  # patrol_attendance_member_idx leads with it
    )
    expected = models.BooleanField(_("expected"), default=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    # Where the member was when checking in, and the grid that point lies in (when it lies in one).
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    located = models.ForeignKey(
        "territory.Territory",
        verbose_name=_("located in"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set when the sweep checked the member out at the planned end because nobody did.
    closed_by_sweep = models.BooleanField(_("checked out by the system"), default=False)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(fields=["shift", "member"], name="patrol_attendance_once"),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | (Q(checked_in_at__isnull=False) & Q(checked_out_at__gte=models.F("checked_in_at"))),
                name="patrol_checkout_after_checkin",
            ),
        ]
        indexes = [
            models.Index(fields=["territory_path", "checked_in_at"], name="patrol_attendance_scope_idx"),
            models.Index(fields=["member", "checked_in_at"], name="patrol_attendance_member_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.shift}"


class PatrolFinding(Territorial, TimeStamped):
    """Something a member found on a shift; raised as a case, settled on the spot, or still open."""

    shift = models.ForeignKey(
        PatrolShift, verbose_name=_("shift"), on_delete=models.PROTECT, related_name="findings"
    )
    member = models.ForeignKey(
        PatrolMember, verbose_name=_("found by"), on_delete=models.PROTECT, related_name="findings"
    )
    description = models.TextField(pgettext_lazy("patrol", "what was found"))
    place = models.CharField(pgettext_lazy("patrol", "where"), max_length=200, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    # The grid or unit it is in: located from the point, else the shift's area, else the team's place.
    territory = models.ForeignKey(
        "territory.Territory", verbose_name=_("place"), on_delete=models.PROTECT, related_name="+"
    )
    photo = models.FileField(_("photo"), upload_to="patrols/%Y/%m/", blank=True)
    photo_type = models.CharField(max_length=60, blank=True, editable=False)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="patrol_finding",
    )
    settled_at = models.DateTimeField(_("settled on the spot"), null=True, blank=True)
    settled_note = models.CharField(_("how it was settled"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("patrol finding")
        verbose_name_plural = _("patrol findings")
        indexes = [
            models.Index(fields=["territory_path", "id"], name="patrol_finding_scope_idx"),
            models.Index(
                fields=["territory_path", "id"],
                condition=Q(case__isnull=True, settled_at__isnull=True),
                name="patrol_finding_open_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.description[:40]

    @property
    def is_open(self) -> bool:
        return self.case_id is None and self.settled_at is None
