"""Boundaries are GeoJSON polygons kept in a JSON field and checked with shapely."""

from __future__ import annotations

from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

from civicgrid.core.errors import ApplicationError


def validate_boundary(geojson: dict | None) -> tuple[float, float, float, float] | None:
    """Return the bounding box of a valid Polygon/MultiPolygon, or raise with the reason."""
    if geojson in (None, {}, ""):
        return None
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson.get("geometry")
    if not isinstance(geojson, dict) or geojson.get("type") not in ("Polygon", "MultiPolygon"):
        raise ApplicationError(_("The boundary must be a GeoJSON Polygon or MultiPolygon."), field="boundary")
    try:
        geom = shape(geojson)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ApplicationError(
            _("The boundary is not valid GeoJSON: %(err)s") % {"err": exc}, field="boundary"
        ) from exc
    if geom.is_empty:
        raise ApplicationError(
            _("The boundary has no area: give at least one ring of points."), field="boundary"
        )
    if not geom.is_valid:
        raise ApplicationError(
            _("The boundary is not a valid polygon: %(why)s") % {"why": explain_validity(geom)},
            field="boundary",
        )
    min_lon, min_lat, max_lon, max_lat = geom.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ApplicationError(
            _("The boundary's coordinates must be longitude, latitude in degrees."), field="boundary"
        )
    return geom.bounds


def contains(geojson: dict, lon: float, lat: float) -> bool:
    if isinstance(geojson, dict) and geojson.get("type") == "Feature":
        geojson = geojson["geometry"]
    return shape(geojson).covers(Point(lon, lat))
