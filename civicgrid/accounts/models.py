from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import Role
from civicgrid.accounts.tokens import ApiToken  # noqa: F401  (a model of this app)
from civicgrid.core import clock
from civicgrid.core.models import Territorial


class User(AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username


class RoleAssignmentQuerySet(models.QuerySet):
    def active(self, at=None):
        at = at or clock.now()
        return self.filter(Q(valid_from__lte=at), Q(valid_to__isnull=True) | Q(valid_to__gt=at))


class RoleAssignment(Territorial):
    """A user holds a role on a node; it covers that node and its whole subtree."""

    user = models.ForeignKey(
        User,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="assignments",
        db_index=False,  # assignment_user_idx leads with it
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    territory = models.ForeignKey(
        "territory.Territory", verbose_name=_("territory"), on_delete=models.PROTECT, related_name="+"
    )
    # A department handler acts for one department; other roles leave it empty.
    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    valid_from = models.DateTimeField(_("valid from"), default=clock.now)
    valid_to = models.DateTimeField(_("valid to"), null=True, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        indexes = [
            models.Index(fields=["user", "valid_from"], name="assignment_user_idx"),
            models.Index(fields=["territory_path"], name="role_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.territory}"

    def save(self, *args, **kwargs):
        # The path always follows the node, however the row is written (service, admin, fixture).
        self.territory_path = self.territory.path
        super().save(*args, **kwargs)
