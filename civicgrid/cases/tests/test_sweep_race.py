"""Exactly once: sweeps racing on the same overdue deadlines, and a sweep that dies half-way.

The race is the real thing: two `civicgrid sweep` processes started together on the same 100 overdue
cases (PostgreSQL: row locks decide; SQLite: BEGIN IMMEDIATE serialises the writers). The
interleaving test replays the worst moment deterministically on either database: a second sweep
finishes everything between the first sweep's listing and its claims.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import sqlite3
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.db import connection

from civicgrid.cases import catalogue, deadlines, services
from civicgrid.cases.models import Case, CaseEvent, Category, Deadline, Tier
from civicgrid.core import clock

BEIJING = dt.timezone(dt.timedelta(hours=8))
MONDAY_10 = dt.datetime(2027, 3, 1, 10, 0, tzinfo=BEIJING)
OVERDUE = MONDAY_10 + dt.timedelta(hours=24, minutes=1)  # past the 24-hour respond limit


def _overdue_cases(world, n: int) -> list[Case]:
    catalogue.install(Category)  # a transactional test may follow one that emptied the tables
    category = Category.objects.get(code="sanitation")
    with clock.frozen(MONDAY_10):
        return [
            services.case_submit(
                actor=world.grid_worker_a,
                channel="walk_in",
                category=category,
                title=f"第{i}件",
                description="垃圾没人清",
                house=world.households["a"].house,
            )
            for i in range(n)
        ]


def _assert_each_escalated_once(cases: list[Case]) -> None:
    ids = [c.pk for c in cases]
    per_case = {pk: 0 for pk in ids}
    for case_id in CaseEvent.objects.filter(case_id__in=ids, action="escalate").values_list(
        "case_id", flat=True
    ):
        per_case[case_id] += 1
    assert set(per_case.values()) == {1}
    assert set(Case.objects.filter(pk__in=ids).values_list("tier", flat=True)) == {Tier.COMMUNITY}
    breached = Deadline.objects.filter(case_id__in=ids, round=1, breached_at__isnull=False)
    assert breached.count() == len(ids)  # the respond deadline of round 1, and only that one
    assert set(breached.values_list("kind", flat=True)) == {"respond"}


def _database_for_processes(tmp_path) -> tuple[str, object]:
    """A DATABASE_URL other processes can open holding this test's data, and a DB-API connection to it.

    PostgreSQL: the test database itself. SQLite: the in-memory test database cannot be shared
    between processes, so it is copied to a WAL file, like the one a real install runs on.
    """
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        user, password = quote(settings["USER"] or ""), quote(settings["PASSWORD"] or "")
        auth = f"{user}:{password}@" if password else f"{user}@" if user else ""
        where = f"{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{settings['NAME']}"
        return f"postgres://{auth}{where}", connection
    path = tmp_path / "race.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}", sqlite3.connect(path)


ESCALATIONS_BY_CASE = (
    "SELECT c.id, c.tier, (SELECT COUNT(*) FROM cases_caseevent e"
    " WHERE e.case_id = c.id AND e.action = 'escalate') FROM cases_case c"
)


def _escalations_by_case(db) -> dict[int, tuple[str, int]]:
    """(tier, number of escalate events) per case, read straight from the database the sweeps used."""
    with contextlib.closing(db.cursor()) as cursor:
        cursor.execute(ESCALATIONS_BY_CASE)
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_two_sweep_processes_escalate_each_of_100_overdue_cases_exactly_once(world, tmp_path):
    catalogue.install(Category)  # a transactional test may follow one that emptied the tables
    category = Category.objects.get(code="sanitation")
    with clock.moved(-dt.timedelta(hours=25)):  # the processes run on the real clock: 1 hour overdue
        cases = [
            services.case_submit(
                actor=None,
                channel="walk_in",
                category=category,
                title=f"第{i}件",
                description="垃圾没人清",
                house=world.households["a"].house,
            )
            for i in range(100)
        ]
    url, db = _database_for_processes(tmp_path)
    env = {**os.environ, "DATABASE_URL": url}
    sweeps = [
        subprocess.Popen(
            [sys.executable, "-m", "civicgrid", "sweep"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in sweeps]
    assert [p.returncode for p in sweeps] == [0, 0], outputs
    counts = [int(re.search(r"(\d+) escalated", out).group(1)) for out in outputs]
    assert sum(counts) == 100, counts  # split between the two however the race went
    seen = _escalations_by_case(db)
    assert set(seen) == {c.pk for c in cases}
    assert set(seen.values()) == {(Tier.COMMUNITY, 1)}
    if db is not connection:
        db.close()


@pytest.mark.django_db
def test_a_sweep_that_lost_the_race_for_every_deadline_escalates_nothing(world, monkeypatch):
    cases = _overdue_cases(world, 5)
    original_claim = deadlines._claim
    rival = {}

    def claim_after_a_rival_swept(deadline_id, field, now):
        if field == "breached_at" and not rival:
            # The first sweep has listed the overdue deadlines; a second one now does all the work.
            monkeypatch.setattr(deadlines, "_claim", original_claim)
            rival.update(deadlines.sweep())
            monkeypatch.setattr(deadlines, "_claim", claim_after_a_rival_swept)
        return original_claim(deadline_id, field, now)

    monkeypatch.setattr(deadlines, "_claim", claim_after_a_rival_swept)
    with clock.frozen(OVERDUE):
        first = deadlines.sweep()
    assert rival["escalated"] == 5 and first["escalated"] == 0
    _assert_each_escalated_once(cases)


@pytest.mark.django_db
def test_a_sweep_killed_on_one_deadline_rolls_its_claim_back_and_the_next_sweep_escalates_it(
    world, monkeypatch
):
    cases = _overdue_cases(world, 3)
    victim = cases[1].deadlines.get(kind="respond")
    original = services.case_overdue

    def dies_on_the_victim(*, case, deadline):
        if deadline.pk == victim.pk:
            original(case=case, deadline=deadline)  # the escalation is written, then the worker dies
            raise SystemError("worker killed")
        return original(case=case, deadline=deadline)

    monkeypatch.setattr(services, "case_overdue", dies_on_the_victim)
    with clock.frozen(OVERDUE):
        assert deadlines.sweep()["escalated"] == 2
    victim.refresh_from_db()
    assert victim.breached_at is None  # the claim went with the rolled-back transaction
    stuck = Case.objects.get(pk=cases[1].pk)
    assert stuck.tier == Tier.GRID and not stuck.events.filter(action="escalate").exists()

    monkeypatch.setattr(services, "case_overdue", original)  # the worker restarts
    with clock.frozen(OVERDUE + dt.timedelta(minutes=1)):
        assert deadlines.sweep()["escalated"] == 1
        assert deadlines.sweep()["escalated"] == 0
    _assert_each_escalated_once(cases)
