"""The database server check: autovacuum, which the roll-up's counter rows depend on."""

from __future__ import annotations

import pytest
from django.core import checks
from django.db import connection


@pytest.mark.django_db
def test_the_database_check_warns_exactly_when_the_server_has_autovacuum_off():
    found = checks.run_checks(tags=[checks.Tags.database], databases=["default"])
    ours = [m for m in found if m.id == "civicgrid.W001"]
    if connection.vendor != "postgresql":
        assert ours == []
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'autovacuum'")
        setting = cursor.fetchone()[0]
    if setting == "on":
        assert ours == []
    else:
        assert len(ours) == 1 and "autovacuum is off" in ours[0].msg
        assert ours[0].level == checks.WARNING
