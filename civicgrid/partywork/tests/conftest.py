"""Party-work personas on top of the shared world: party members in grids A and B, households in
grid A for them, and an in-service party member living in community C1."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.accounts.roles import Role
from civicgrid.core import clock
from civicgrid.testing import make_household, make_user


def next_wednesday() -> dt.datetime:
    """10:00 local on the coming Wednesday: after every persona's role began, in the middle of a week."""
    today = timezone.localdate()
    day = today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))


@pytest.fixture
def at_wednesday():
    wednesday = next_wednesday()
    with clock.frozen(wednesday):
        yield wednesday


@pytest.fixture
def party(world, at_wednesday):
    """Two members in grid A, one in grid B, three more households in grid A, an in-service member;
    the clock stopped on a Wednesday."""
    return add_party(world)


@pytest.fixture
def party_live(world):
    """The same people on the real clock, for a live server (whose threads would share a frozen one)."""
    return add_party(world)


def add_party(world):
    world.users.update(
        {
            "member_a": make_user("member_a", Role.PARTY_MEMBER, world.grid_a),
            "member_a2": make_user("member_a2", Role.PARTY_MEMBER, world.grid_a),
            "member_b": make_user("member_b", Role.PARTY_MEMBER, world.grid_b),
            "inservice": make_user("inservice", Role.INSERVICE_PARTY_MEMBER, world.c1),
            "two_committees": make_user("two_committees", Role.TWO_COMMITTEES, world.c1),
        }
    )
    world.users["member_a"].display_name = "党员甲"
    world.users["member_a"].save()
    for key in ("a2", "a3", "a4"):
        world.households[key] = make_household(
            actor=world.secretary, unit=world.unit_a1, members=1, name="孙"
        )
    return world
