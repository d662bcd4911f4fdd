"""The append-only record of who did what, and of every reveal of protected personal data.

Rows are never updated or deleted: the model refuses in Python and a database trigger refuses in
SQL (see the migration), so neither the ORM nor a raw statement can rewrite history.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core import clock


class AppendOnlyError(RuntimeError):
    pass


class AppendOnly(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows cannot be deleted")


class AuditEvent(AppendOnly):
    at = models.DateTimeField(_("at"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    # The path of the node the object sits under; staff browse the log within their scope.
    territory_path = models.CharField(_("territory path"), max_length=64, blank=True)  # audit_scope_idx
    summary = models.JSONField(_("change"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            # The log within a staff member's scope, newest first (`audit_list_for`).
            models.Index(fields=["territory_path", "id"], name="audit_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class DataAccess(AppendOnly):
    """One reveal of a protected field (ID number, phone, sensitive tag list) and why."""

    at = models.DateTimeField(_("at"), default=clock.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    object_type = models.CharField(_("object type"), max_length=64)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=200)
    field = models.CharField(_("field"), max_length=64)
    reason = models.CharField(_("reason"), max_length=300)
    territory_path = models.CharField(_("territory path"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("personal data access")
        verbose_name_plural = _("personal data accesses")
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="dataaccess_object_idx"),
            models.Index(fields=["territory_path", "id"], name="dataaccess_scope_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.field} {self.object_repr}"
