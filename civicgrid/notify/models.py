"""Notifications: who is told what about a case, stored as a message code so each reader reads it in
their own language, whenever they read it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core import clock


class Kind(models.TextChoices):
    ASSIGNED = "assigned", _("assigned to you")
    DUE_SOON = "due_soon", _("due soon")
    OVERDUE = "overdue", _("overdue")
    STATUS_CHANGED = "status_changed", _("status changed")
    RESOLVED_PLEASE_RATE = "resolved_please_rate", _("resolved, please rate")
    EXTENSION_REQUESTED = "extension_requested", _("more time requested")
    REMINDER = "reminder", _("reminder")


class Target(models.TextChoices):
    USER = "user", _("a user")
    # A reporter without an account (a resident who gave a phone number): reached only by SMS, when
    # enabled; their in-app view of the case is the tracking page.
    REPORTER = "reporter", _("the reporter")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
        db_index=False,  # notification_inbox_idx leads with it
    )
    target = models.CharField(max_length=12, choices=Target.choices, default=Target.USER)
    follower = models.ForeignKey(
        "cases.Follower", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    # A case notification names its case; another module's reminder names the page to open instead.
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("case"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    link = models.CharField(_("link"), max_length=300, blank=True)
    # The text is a message code and its parameters (codes of tiers and states, not their labels),
    # rendered in the reader's language at read time; see `civicgrid.notify.messages`.
    text_code = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    # channel name → True (sent) / False (failed or not reachable through it); filled after commit.
    delivery = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-id"], name="notification_inbox_idx"),
            models.Index(
                fields=["recipient"], name="notification_unread_idx", condition=Q(read_at__isnull=True)
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(target="user", recipient__isnull=False) | Q(target="reporter"),
                name="notification_user_has_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.case_id or self.link} → {self.recipient_id or self.target}"

    @property
    def text(self) -> str:
        from civicgrid.notify.messages import render

        return render(self)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
