"""Run by test_replica.py in a process of its own, against a primary and its streaming replica.

Prints one JSON line: which server answered the case register's queries, where writes went, and what
each server is. Not a test module itself (its name does not start with test_).
"""

from __future__ import annotations

import json
import os
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

import django  # noqa: E402

django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from civicgrid.cases import services  # noqa: E402
from civicgrid.cases.models import Case  # noqa: E402
from civicgrid.core.dbroute import replica_reads  # noqa: E402
from civicgrid.testing import build_world, submit_case  # noqa: E402


def scalar(alias: str, sql: str, params=()):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def caught_up() -> None:
    """Wait until the replica has replayed everything the primary wrote so far."""
    target = scalar("default", "SELECT pg_current_wal_lsn()::text")
    for _ in range(200):
        if scalar("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [target]):
            return
        time.sleep(0.05)
    raise SystemExit("the replica did not catch up in 10 s")


setup_test_environment()
world = build_world()
case = submit_case(world, title="replica probe: streetlight")
caught_up()

client = Client()
client.force_login(world.town_officer)
with (
    CaptureQueriesContext(connections["default"]) as on_primary,
    CaptureQueriesContext(connections["replica"]) as on_replica,
):
    page = client.get("/cases/list/")

# A write made while reads are routed still lands on the primary (and nowhere else can take it).
with replica_reads():
    services.case_comment(actor=world.grid_chief_a, case=Case.objects.get(pk=case.pk), note="probe")

print(
    json.dumps(
        {
            "status": page.status_code,
            "title_on_page": case.title in page.content.decode(),
            "replica_queries": [q["sql"] for q in on_replica.captured_queries],
            "primary_queries": [q["sql"] for q in on_primary.captured_queries],
            "replica_in_recovery": scalar("replica", "SELECT pg_is_in_recovery()"),
            "primary_in_recovery": scalar("default", "SELECT pg_is_in_recovery()"),
            "replica_receiver": scalar("replica", "SELECT status FROM pg_stat_wal_receiver"),
            "comments_on_primary": scalar(
                "default", "SELECT count(*) FROM cases_caseevent WHERE note = 'probe'"
            ),
        }
    )
)
