"""Checks of the database server itself, run by `civicgrid check --database default` and by `migrate`."""

from __future__ import annotations

from django.core.checks import Tags, Warning, register
from django.db import connections


@register(Tags.database)
def autovacuum_on(app_configs=None, databases=None, **kwargs) -> list[Warning]:
    """The roll-up's counter rows are rewritten by every case taken in (docs/scaling.md): with
    autovacuum off, their dead versions pile up and every intake and transition slows down."""
    found = []
    for alias in databases or ():
        connection = connections[alias]
        if connection.vendor != "postgresql":
            continue
        with connection.cursor() as cursor:
            cursor.execute("SHOW autovacuum")
            setting = cursor.fetchone()[0]
        if setting != "on":
            found.append(
                Warning(
                    f"autovacuum is {setting} on the PostgreSQL server of the '{alias}' database.",
                    hint="Turn it on (autovacuum = on, PostgreSQL's default), or run VACUUM (ANALYZE) "
                    "on a schedule: the measures' roll-up rows slow every case transition without it.",
                    id="civicgrid.W001",
                )
            )
    return found
