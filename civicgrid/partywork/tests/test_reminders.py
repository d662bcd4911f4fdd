"""The weekly reminder sweep: from the configured weekday, once per member and week, only for members
with households not yet contacted, and never twice even when two sweeps race."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import translation

from civicgrid.core import clock, registry
from civicgrid.notify.messages import render
from civicgrid.notify.models import Notification
from civicgrid.partywork import reminders, services
from civicgrid.partywork.models import ContactReminder
from civicgrid.partywork.periods import week_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def paired(party):
    services.contact_pairing_create(
        actor=party.grid_chief_a,
        member=party.member_a,
        households=[party.households["a"], party.households["a2"]],
    )
    pairing_b = services.contact_pairing_create(
        actor=party.grid_chief_b, member=party.member_b, households=[party.households["b"]]
    ).pairings[0]
    party.pairing_b = pairing_b
    return party


def _on_weekday(at_wednesday, iso_weekday: int):
    return clock.frozen(at_wednesday + dt.timedelta(days=iso_weekday - 3))


def test_no_reminder_before_the_configured_weekday(paired, at_wednesday):
    with override_settings(CIVICGRID_PARTYWORK_REMIND_WEEKDAY=4), _on_weekday(at_wednesday, 3):
        assert reminders.run() == {"reminded": 0}
    assert Notification.objects.count() == 0


def test_from_the_weekday_each_member_is_reminded_once_with_their_count(paired, at_wednesday):
    with override_settings(CIVICGRID_PARTYWORK_REMIND_WEEKDAY=4), _on_weekday(at_wednesday, 4):
        assert reminders.run() == {"reminded": 2}
        assert reminders.run() == {"reminded": 0}
    with override_settings(CIVICGRID_PARTYWORK_REMIND_WEEKDAY=4), _on_weekday(at_wednesday, 6):
        assert reminders.run() == {"reminded": 0}
    notes = {n.recipient_id: n for n in Notification.objects.all()}
    assert set(notes) == {paired.member_a.pk, paired.member_b.pk}
    assert notes[paired.member_a.pk].params["count"] == 2
    assert notes[paired.member_a.pk].link == "/partywork/"
    with translation.override("en"):
        assert "2 of your contact households" in render(notes[paired.member_a.pk])


def test_a_member_who_contacted_every_household_is_not_reminded(paired, at_wednesday):
    services.contact_log_create(actor=paired.member_b, pairing=paired.pairing_b, method="wechat")
    with override_settings(CIVICGRID_PARTYWORK_REMIND_WEEKDAY=3):
        assert reminders.run() == {"reminded": 1}
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [paired.member_a.pk]


def test_next_week_the_member_is_reminded_again(paired, at_wednesday):
    with override_settings(CIVICGRID_PARTYWORK_REMIND_WEEKDAY=3):
        reminders.run()
        with clock.frozen(at_wednesday + dt.timedelta(days=7)):
            assert reminders.run() == {"reminded": 2}
    assert ContactReminder.objects.count() == 4


def test_a_sweep_that_lost_the_race_sends_nothing(paired, at_wednesday):
    """Both sweeps found the member due; the other one stored the reminder first."""
    week = week_of()
    due = reminders.due_members(week)
    ContactReminder.objects.create(member=paired.member_a, week=week.start, households=2)
    sent = [reminders._remind(member_id, n, week, clock.now()) for member_id, n in due]
    assert sorted(sent) == [False, True]
    assert Notification.objects.filter(recipient=paired.member_a).count() == 0
    assert ContactReminder.objects.filter(member=paired.member_a).count() == 1


def test_the_sweep_is_declared_in_the_manifest_with_its_text():
    assert any(s.name == "partywork" for s in registry.sweeps())
    assert registry.message_text(reminders.TEXT_CODE) is not None
