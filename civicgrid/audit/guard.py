"""Lifting the append-only guard of the audit tables, for `flush` only (tests and development resets).

The triggers of migration 0002 refuse UPDATE, DELETE and TRUNCATE on the audit tables, which also
makes Django's `flush` fail (and with it every transactional or browser test's clean-up). `lifted`
takes the triggers away inside the caller's transaction and puts the very same ones back before it
commits, so no other statement ever runs unguarded; production never lifts the guard.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

TABLES = ("audit_auditevent", "audit_dataaccess")


@contextlib.contextmanager
def lifted(connection) -> Iterator[None]:
    """Must run inside a transaction (`transaction.atomic`) on `connection`."""
    if not connection.in_atomic_block:
        raise RuntimeError("the audit guard is lifted only inside a transaction")
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name IN (%s, %s)", TABLES
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        elif connection.vendor == "postgresql":
            for table in TABLES:
                cursor.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
            yield
            for table in TABLES:
                cursor.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
        else:
            yield
