"""Every index of civicgrid's tables earns its writes: none repeats the leading columns of another, and
none serves a LIKE that no query makes. Every row written pays for every index of its table (a case
taken in writes about a dozen rows), and a redundant index is also read by the planner on every query.

The duplicates read in PostgreSQL's catalogue; the models' own promise (every territorial table has an
index led by its path, so scoping stays an index range) is checked on both databases.
"""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import connection, models

from civicgrid.audit.models import AuditEvent, DataAccess
from civicgrid.cases.models import CaseStatArea
from civicgrid.core.models import Territorial

# Scoping compares paths by range (`paths.subtree_q`), never with LIKE.
PATH = "territory_path"

OUR_TABLES = """
    SELECT t.relname FROM pg_class t JOIN pg_namespace n ON n.oid = t.relnamespace
    WHERE n.nspname = current_schema() AND t.relkind = 'r' AND t.relname = ANY(%s)
"""

INDEXES = """
    SELECT t.relname, c.relname, i.indkey::text, i.indclass::text, i.indisunique,
           i.indpred IS NOT NULL OR i.indexprs IS NOT NULL
    FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
    WHERE t.relname = ANY(%s)
"""

PATTERN_OPS_ON_PATH = """
    SELECT t.relname, c.relname FROM pg_index i
    JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = i.indkey[0]
    JOIN pg_opclass o ON o.oid = i.indclass[0]
    WHERE t.relname = ANY(%s) AND a.attname = %s AND o.opcname LIKE '%%pattern_ops'
"""


def _our_tables() -> list[str]:
    return [m._meta.db_table for m in apps.get_models() if m.__module__.startswith("civicgrid.")]


def _leads(short: str, long: str) -> bool:
    """`short` (columns or operator classes, space-separated) is the start of `long`."""
    return f"{long} ".startswith(f"{short} ")


@pytest.mark.django_db
def test_no_index_repeats_the_leading_columns_of_another():
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(INDEXES, [_our_tables()])
        rows = cursor.fetchall()
    assert rows, "the catalogue query found no index at all"
    found = []
    for table, name, columns, ops, unique, partial in rows:
        if unique or partial:
            continue  # a unique index enforces something; a partial one covers only its rows
        for other_table, other, other_columns, other_ops, other_unique, other_partial in rows:
            if other_table != table or other == name or other_partial:
                continue
            same = columns == other_columns and ops == other_ops
            if (_leads(columns, other_columns) and _leads(ops, other_ops) and not same) or (
                same and (other_unique or other < name)
            ):
                found.append(f"{table}: {name} is the start of {other}")
    assert found == []


@pytest.mark.django_db
def test_no_pattern_index_on_a_path_that_is_compared_by_range():
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(PATTERN_OPS_ON_PATH, [_our_tables(), PATH])
        assert cursor.fetchall() == []


def test_every_scoped_table_has_an_index_led_by_its_path():
    """What the field's own index used to promise: a subtree is an index range on every such table.

    The area roll-up's path is not a scope but part of its row key, read whole with the others."""
    missing = []
    scoped = [m for m in apps.get_models() if issubclass(m, Territorial) and m is not CaseStatArea]
    scoped += [AuditEvent, DataAccess]
    for model in scoped:
        led = [i for i in model._meta.indexes if i.fields[:1] == [PATH] and i.condition is None]
        led += [
            c
            for c in model._meta.constraints
            if isinstance(c, models.UniqueConstraint) and list(c.fields[:1]) == [PATH] and c.condition is None
        ]
        if not led and not model._meta.get_field(PATH).db_index:
            missing.append(model._meta.label)
    assert missing == []


@pytest.mark.django_db
def test_the_catalogue_queries_read_this_database():
    """The checks above would pass on an empty answer: they must see the tables they are about."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(OUR_TABLES, [_our_tables()])
        tables = {r[0] for r in cursor.fetchall()}
    assert {"cases_case", "registry_resident", "audit_auditevent"} <= tables
