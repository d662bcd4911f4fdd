"""Prints made in the background: asked for, laid out once by the worker, the asker's alone, swept."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.audit.models import AuditEvent
from civicgrid.core import clock, registry
from civicgrid.prints import services
from civicgrid.prints.models import Print

pytestmark = pytest.mark.django_db


def test_the_sweep_deletes_prints_past_their_day_and_fails_one_whose_worker_was_lost(world, client_for):
    now = clock.now()
    with clock.frozen(now - dt.timedelta(days=1, minutes=1)):
        old = Print.objects.create(
            kind="ledger", requested_by=world.secretary, status="done", pdf=b"%PDF-1.4"
        )
    with clock.frozen(now - dt.timedelta(minutes=20)):
        lost = Print.objects.create(
            kind="ledger", requested_by=world.secretary, status="running", language="en"
        )
    with clock.frozen(now - dt.timedelta(minutes=5)):
        running = Print.objects.create(kind="ledger", requested_by=world.secretary, status="running")
    (sweep,) = [s for s in registry.sweeps() if s.name == "prints"]  # `civicgrid sweep` runs it
    with clock.frozen(now):
        assert sweep.run() == {"prints removed": 1, "prints interrupted": 1}
        assert sweep.run() == {"prints removed": 0, "prints interrupted": 0}
    assert not Print.objects.filter(pk=old.pk).exists()
    lost.refresh_from_db()
    running.refresh_from_db()
    assert (lost.status, running.status) == ("failed", "running")  # five minutes is a slow print
    page = client_for(world.secretary).get(f"/prints/{lost.pk}/").content.decode()
    assert "The print was interrupted. Ask for it again." in page and "<progress" not in page
    assert AuditEvent.objects.filter(action="prints.expired", object_id=str(old.pk)).exists()
    assert AuditEvent.objects.filter(action="prints.failed", object_id=str(lost.pk)).exists()


def test_a_failed_print_says_why_in_the_askers_language(world, client_for):
    made = Print.objects.create(
        kind="door_plates", requested_by=world.secretary, params={"territory": 0}, language="en"
    )
    services.print_make(made.pk)  # no such place: the kind's make raises, the print fails
    made.refresh_from_db()
    assert made.status == "failed" and made.message.startswith("The print could not be made:")
    page = client_for(world.secretary).get(f"/prints/{made.pk}/").content.decode()
    assert "The print could not be made" in page and "<progress" not in page


def test_an_unknown_kind_is_a_programming_error_not_a_print(world):
    with pytest.raises(ValueError):
        services.print_request(user=world.secretary, kind="nothing", params={})
    assert not Print.objects.exists()
