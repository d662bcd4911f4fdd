"""Boundaries: GeoJSON polygons checked with shapely, refused with a reason naming the field."""

from __future__ import annotations

import pytest
from django.utils import translation

from civicgrid.core.errors import ApplicationError
from civicgrid.territory import geometry
from civicgrid.testing import square

BOWTIE = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refusal(boundary) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        geometry.validate_boundary(boundary)
    assert caught.value.field == "boundary"
    return caught.value


@pytest.mark.parametrize("empty", [None, {}, ""])
def test_no_boundary_is_allowed_and_has_no_box(empty):
    assert geometry.validate_boundary(empty) is None


def test_a_polygon_gives_its_bounding_box():
    assert geometry.validate_boundary(square(108.0, 27.0, 0.05)) == pytest.approx(
        (108.0, 27.0, 108.05, 27.05)
    )


def test_a_feature_is_unwrapped_to_its_geometry():
    feature = {"type": "Feature", "properties": {}, "geometry": square(1, 2, 1)}
    assert geometry.validate_boundary(feature) == (1, 2, 2, 3)


def test_a_multipolygon_gives_the_box_around_all_its_parts():
    multi = {
        "type": "MultiPolygon",
        "coordinates": [square(0, 0, 1)["coordinates"], square(5, 5, 1)["coordinates"]],
    }
    assert geometry.validate_boundary(multi) == (0, 0, 6, 6)


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Point", "coordinates": [1, 2]},
        {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
        {"type": "Feature", "geometry": None},
        "POLYGON((0 0, 1 0, 1 1, 0 0))",
        [[0, 0], [1, 0], [1, 1]],
    ],
)
def test_anything_but_a_polygon_is_refused(boundary):
    assert "Polygon" in refusal(boundary).message


@pytest.mark.parametrize(
    "boundary",
    [
        {"type": "Polygon"},
        {"type": "Polygon", "coordinates": "abc"},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]},
        {"type": "Polygon", "coordinates": [[["a", "b"], [1, 1], [1, 0], [0, 0]]]},
    ],
)
def test_malformed_geojson_is_refused_with_the_reason(boundary):
    assert refusal(boundary).message.startswith("The boundary is not valid GeoJSON")


def test_a_self_intersecting_polygon_is_refused_naming_where():
    message = refusal(BOWTIE).message
    assert "not a valid polygon" in message
    assert "Self-intersection" in message


def test_an_empty_polygon_is_refused_with_a_clear_message():
    message = refusal({"type": "Polygon", "coordinates": []}).message
    assert "no area" in message
    assert "Valid Geometry" not in message


def test_coordinates_outside_degrees_are_refused():
    assert "longitude, latitude" in refusal(square(500_000, 3_000_000, 100)).message
    assert "longitude, latitude" in refusal(square(27.0, 108.0, 0.05)).message  # latitude above 90: swapped


def test_contains_covers_the_inside_and_the_edge_but_not_outside():
    area = square(108.0, 27.0, 0.05)
    assert geometry.contains(area, 108.01, 27.01)
    assert geometry.contains(area, 108.05, 27.02)  # on the edge
    assert not geometry.contains(area, 108.06, 27.01)


def test_contains_accepts_a_feature():
    assert geometry.contains({"type": "Feature", "geometry": square(0, 0, 1)}, 0.5, 0.5)
