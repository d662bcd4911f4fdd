"""Base model classes shared by every module."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core import clock


class TimeStamped(models.Model):
    created_at = models.DateTimeField(_("created"), default=clock.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=clock.now, editable=False)

    class Meta:
        abstract = True


class Territorial(models.Model):
    """A row that sits somewhere in the territory tree.

    It keeps a copy of its node's path so that scoping a list is a range condition on the row itself,
    with no join. The territory move service rewrites this column for every Territorial model.

    Each model declares the index its scoped lists read, led by this column (most add the order of
    the list after it). The field has none of its own: on PostgreSQL that would be two indexes, one
    of them for LIKE, which scoping never uses, both written on every insert.
    """

    territory_path = models.CharField(_("territory path"), max_length=64, editable=False)

    class Meta:
        abstract = True


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("public holiday (no work)")
    WORKDAY = "workday", _("make-up working day (weekend worked)")


class CalendarDay(models.Model):
    """An exception to Monday–Friday: a public holiday, or a weekend day worked in exchange (调休)."""

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name or self.kind}"
