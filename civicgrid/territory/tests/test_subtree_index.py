"""A subtree is one index range scan on the path column, on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection

from civicgrid.core import paths
from civicgrid.registry.models import Household, Resident
from civicgrid.territory.models import Level, Territory

NODES = 3000
GRIDS = 100
PER_GRID = 50


@pytest.fixture
def crowded(db):
    """3,000 territory nodes and 5,000 residents under 100 of them, with statistics, so the planner
    chooses as it would on a real county (no enable_seqscan tricks)."""
    root = "0009"
    Territory.objects.bulk_create(
        Territory(path=root + paths.segment(g), level=Level.GRID, code=f"9{g:014d}", name=f"g{g}")
        for g in range(1, NODES + 1)
    )
    Resident.objects.bulk_create(
        Resident(
            territory_path=root + paths.segment(g) + paths.segment(1),
            name=f"r{g}-{i}",
            gender="male",
            birth_date=dt.date(1980, 1, 1),
        )
        for g in range(1, GRIDS + 1)
        for i in range(PER_GRID)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return root


def plan(qs) -> str:
    return qs.explain()


def assert_range_search(text: str, table: str, column: str):
    if connection.vendor == "sqlite":
        assert re.search(
            rf"SEARCH {table} USING (COVERING )?INDEX \S+ \({column}>\? AND {column}<\?\)", text
        ), text
        assert not re.search(rf"\bSCAN {table}\b", text), text
    else:
        assert re.search(r"(Index Scan|Index Only Scan|Bitmap Index Scan)", text), text
        lower, upper = rf"\(\({column}\)::text >= '\d+'::text\)", rf"\(\({column}\)::text < '\d+'::text\)"
        assert re.search(rf"Index Cond: \({lower} AND {upper}\)", text), text
        assert "Seq Scan" not in text, text


def test_residents_of_a_grid_are_found_by_one_index_range_scan(crowded):
    grid = crowded + paths.segment(17)
    qs = Resident.objects.filter(paths.subtree_q("territory_path", grid))
    assert qs.count() == PER_GRID
    assert_range_search(plan(qs), "registry_resident", "territory_path")


def test_a_subtree_of_the_tree_itself_is_an_index_range_scan_on_path(crowded):
    qs = Territory.objects.filter(paths.subtree_q("path", crowded + paths.segment(42)))
    assert qs.count() == 1
    assert_range_search(plan(qs), "territory_territory", "path")


def test_a_scoped_page_reads_the_range_in_index_order(crowded):
    grid = crowded + paths.segment(99)
    qs = Resident.objects.filter(paths.subtree_q("territory_path", grid)).order_by("territory_path", "id")[
        :25
    ]
    text = plan(qs)
    assert_range_search(text, "registry_resident", "territory_path")
    if connection.vendor == "sqlite":
        assert "USE TEMP B-TREE FOR ORDER BY" not in text, text
    else:
        assert "Sort" not in text.split("\n")[0] or "Incremental Sort" in text, text


def test_several_subtrees_are_several_range_scans_not_a_full_scan(crowded):
    roots = [crowded + paths.segment(n) for n in (1, 10, 100)]
    qs = Resident.objects.filter(paths.any_subtree_q("territory_path", roots))
    assert qs.count() == 3 * PER_GRID
    text = plan(qs)
    if connection.vendor == "sqlite":
        assert text.count("territory_path>? AND territory_path<?") == 3, text
        assert not re.search(r"\bSCAN registry_resident\b", text), text
    else:
        assert "Seq Scan" not in text, text
        assert text.count("Index Cond") >= 3 or "= ANY" in text, text


def test_the_world_tree_is_scanned_by_range_too(world):
    qs = Household.objects.filter(world.c1.subtree_q("territory_path"))
    assert qs.count() == 3
    text = plan(qs)
    if connection.vendor == "sqlite":
        assert "territory_path>? AND territory_path<?" in text, text
    else:
        assert "territory_path" in text, text
