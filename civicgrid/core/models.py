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
    """

    territory_path = models.CharField(_("territory path"), max_length=64, db_index=True, editable=False)

    class Meta:
        abstract = True
