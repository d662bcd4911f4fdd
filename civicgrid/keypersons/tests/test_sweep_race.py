"""Exactly once with two sweeps racing: every missed due date is alerted once and every end lapses once.

Two threads, each with its own database connection, sweep the same overdue key persons at the same
moment (PostgreSQL: the row locks decide; SQLite: write transactions are serialised, and a row a
sweep could not take is left for the next pass, which is why a third pass runs at the end).
"""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection

from civicgrid.core import clock
from civicgrid.keypersons import sweep
from civicgrid.keypersons.models import KeyPerson, KeyPersonAlert, KeyPersonReview
from civicgrid.keypersons.tests.conftest import register
from civicgrid.notify.models import Notification
from civicgrid.testing import make_household

pytestmark = pytest.mark.django_db(transaction=True)

START = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
END = dt.date(2026, 6, 30)
LATER = dt.datetime(2026, 7, 1, 2, tzinfo=dt.UTC)  # every red visit missed, every correction ended


@pytest.fixture(autouse=True)
def _world_made_before():
    """The personas' role assignments start before the day the key persons are registered."""
    with clock.frozen(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)):
        yield


def test_two_sweeps_racing_alert_and_lapse_each_key_person_once(people):
    with clock.frozen(START):
        for i in range(12):
            key = f"race{i}"
            people.households[key] = make_household(actor=people.secretary, unit=people.unit_a1, members=1)
            if i % 2:
                register(people, key, actor=people.grid_chief_a)  # red: its visit is missed
            else:
                register(people, key, actor=people.grid_chief_a, code="community_correction", until=END)
    barrier = threading.Barrier(2)
    failures: list[BaseException] = []

    def one_sweep():
        try:
            with clock.frozen(LATER):
                barrier.wait()
                sweep.run()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=one_sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    with clock.frozen(LATER):
        sweep.run()  # picks up whatever a serialised writer had to leave
        assert sweep.run() == {"moved_with_resident": 0, "lapsed": 0, "visit_alerts": 0, "review_alerts": 0}
    assert KeyPerson.objects.count() == 12
    assert KeyPersonReview.objects.filter(action="lapse").count() == 6
    assert KeyPersonAlert.objects.count() == 6
    designated = 4  # grid chief, secretary, town officer, cadre: each told once per person
    assert Notification.objects.filter(text_code="keypersons.lapsed").count() == 6 * designated
    assert Notification.objects.filter(text_code="keypersons.visit_overdue").count() == 6 * designated
