"""Two sweeps at once remind each member once: the real race, in two threads with their own
database connections (PostgreSQL: the unique index makes the second writer wait, then fail and
skip; SQLite: write transactions are serialised)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test import override_settings

from civicgrid.core import clock
from civicgrid.notify.models import Notification
from civicgrid.partywork import reminders, services
from civicgrid.partywork.models import ContactReminder
from civicgrid.testing import make_household

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_sweeps_racing_remind_every_member_exactly_once(party_live):
    world = party_live
    households = [make_household(actor=world.secretary, unit=world.unit_a1, members=1) for _ in range(6)]
    services.contact_pairing_create(
        actor=world.grid_chief_a, member=world.member_a, households=households[:3]
    )
    services.contact_pairing_create(
        actor=world.grid_chief_a, member=world.member_a2, households=households[3:]
    )
    services.contact_pairing_create(
        actor=world.grid_chief_b, member=world.member_b, households=[world.households["b"]]
    )
    start = threading.Barrier(2)
    results, failures = [], []

    def sweep():
        try:
            start.wait()
            results.append(reminders.run())
        except Exception as exc:  # reported below: a thread's exception would otherwise vanish
            failures.append(exc)
        finally:
            connection.close()

    weekday = clock.today().isoweekday()
    with override_settings(CIVICGRID_PARTYWORK_REMIND_WEEKDAY=weekday):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert failures == []
    assert sum(r["reminded"] for r in results) == 3
    assert ContactReminder.objects.count() == 3
    assert sorted(Notification.objects.values_list("recipient_id", flat=True)) == sorted(
        [world.member_a.pk, world.member_a2.pk, world.member_b.pk]
    )
