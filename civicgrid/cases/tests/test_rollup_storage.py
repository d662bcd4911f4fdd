"""The roll-up's hot counter rows keep their updates on their page, and a rebuild leaves no dead rows.

Both are PostgreSQL's storage; on SQLite the rebuild's clean-up is a no-op that says so.
"""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db import connection

from civicgrid.cases import catalogue
from civicgrid.cases.measures_tally import stats_vacuum
from civicgrid.cases.models import COUNTERS, Category
from civicgrid.testing import submit_case

ROLLUP = ("cases_casestat", "cases_casestatarea")


def _options(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = %s", [table])
        return set(cursor.fetchone()[0] or ())


def _vacuums(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = %s", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_rollup_tables_keep_room_on_each_page_for_their_rows_new_versions():
    if connection.vendor != "postgresql":
        assert stats_vacuum() is False
        return
    for table in ROLLUP:
        assert {
            "fillfactor=70",
            "autovacuum_vacuum_scale_factor=0.02",
            "autovacuum_analyze_scale_factor=0.02",
        } <= _options(table), table


@pytest.mark.django_db
def test_no_index_covers_a_counter_so_its_updates_can_stay_on_their_page():
    """A new version of a row can stay on its page (a HOT update) only if no indexed column changed:
    an index on a counter would make every case taken in add entries to the roll-up's indexes."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT DISTINCT t.relname, a.attname FROM pg_index i
               JOIN pg_class t ON t.oid = i.indrelid
               JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY(i.indkey)
               WHERE t.relname = ANY(%s)""",
            [list(ROLLUP)],
        )
        indexed = cursor.fetchall()
    assert {table for table, _ in indexed} == set(ROLLUP)
    assert not [(table, column) for table, column in indexed if column in COUNTERS]


@pytest.mark.django_db(transaction=True)
def test_the_rebuild_command_vacuums_the_rows_it_replaced(world):
    catalogue.install(Category)  # a transactional test may follow one that emptied the tables
    submit_case(world)
    out = io.StringIO()
    if connection.vendor != "postgresql":
        call_command("rebuild_case_stats", stdout=out)
        assert "vacuuming" not in out.getvalue()
        return
    before = {table: _vacuums(table) for table in (*ROLLUP, "cases_casetally")}
    call_command("rebuild_case_stats", stdout=out)
    assert "vacuuming the roll-up's tables" in out.getvalue()
    assert {table: _vacuums(table) for table in before} == {t: n + 1 for t, n in before.items()}
