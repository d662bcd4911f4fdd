"""The roll-up's counter rows are updated in place by every transition: give them room to be.

A few rows (a town's or the county's totals for today, this month, this year) are rewritten by every
case taken in. On a full page PostgreSQL writes each new version elsewhere and adds an entry for it
to the unique index, which the next upsert's conflict check then walks past. With 30 % of each page
kept free, the new version stays on its page (a HOT update), the index is untouched, and the page
prunes its own dead versions without waiting for VACUUM. Measured on the small demo, loaded with
autovacuum off: the roll-up's upsert took 13.6 ms of server CPU a case at the default fill and
3.2 ms at 70 % (docs/scaling.md, "The roll-up's hot rows").

Autovacuum also starts on these tables after 2 % of their rows are dead, not PostgreSQL's 20 %: at
ten million cases the area table holds millions of rows, and its hot rows would wait that long.

The setting applies to pages written from now on; `rebuild_case_stats` rewrites every page. SQLite
updates in place and has no such setting.
"""

from django.db import migrations

TABLES = ("cases_casestat", "cases_casestatarea")
OPTIONS = ("fillfactor = 70", "autovacuum_vacuum_scale_factor = 0.02", "autovacuum_analyze_scale_factor = 0.02")


def room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} SET ({', '.join(OPTIONS)})")


def no_room(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        names = ", ".join(option.split(" ")[0] for option in OPTIONS)
        for table in TABLES:
            schema_editor.execute(f"ALTER TABLE {table} RESET ({names})")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_prints_moved"),
    ]

    operations = [migrations.RunPython(room, no_room, elidable=False)]
