from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core import paths


class Level(models.TextChoices):
    CITY = "city", _("city")
    COUNTY = "county", _("county / district")
    TOWN = "town", _("town / subdistrict")
    COMMUNITY = "community", _("village / community")
    GRID = "grid", _("grid")
    UNIT = "unit", _("unit")


# Which level may sit under which: the tree's grammar.
PARENT_LEVEL = {
    Level.CITY: None,
    Level.COUNTY: Level.CITY,  # or a root
    Level.TOWN: Level.COUNTY,
    Level.COMMUNITY: Level.TOWN,
    Level.GRID: Level.COMMUNITY,
    Level.UNIT: Level.GRID,
}
ROOT_LEVELS = {Level.CITY, Level.COUNTY}


class Kind(models.TextChoices):
    NONE = "", _("—")
    VILLAGE = "village", _("village (rural)")
    URBAN = "urban", _("community (urban)")
    TOWNSHIP = "township", _("town / township")
    SUBDISTRICT = "subdistrict", _("subdistrict")


class Territory(models.Model):
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    path = models.CharField(_("path"), max_length=64, unique=True, editable=False)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, blank=True, default="")
    code = models.CharField(_("code"), max_length=24, unique=True)
    name = models.CharField(_("name"), max_length=100)
    boundary = models.JSONField(_("boundary (GeoJSON)"), null=True, blank=True)
    # Bounding box of the boundary, so locating a point narrows candidates with an index first.
    min_lon = models.FloatField(null=True, blank=True, editable=False)
    min_lat = models.FloatField(null=True, blank=True, editable=False)
    max_lon = models.FloatField(null=True, blank=True, editable=False)
    max_lat = models.FloatField(null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        verbose_name = _("territory node")
        verbose_name_plural = _("territory nodes")
        ordering = ["path"]
        indexes = [models.Index(fields=["level", "min_lon", "min_lat"], name="territory_bbox_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return paths.depth(self.path)

    @property
    def is_active(self) -> bool:
        return self.retired_at is None

    def subtree_q(self, field: str = "path"):
        return paths.subtree_q(field, self.path)
