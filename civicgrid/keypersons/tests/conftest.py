"""Personas and builders for the key-person tests: roles that must see nothing, and a key person."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.accounts.roles import Role
from civicgrid.keypersons import services
from civicgrid.keypersons.catalogue import install
from civicgrid.keypersons.models import KeyPersonCategory
from civicgrid.testing import make_user

DAY = dt.date(2026, 3, 2)  # a Monday


@pytest.fixture
def people(world):
    """Extra personas: a unit chief in grid A, a village-stationed cadre on C1."""
    install(KeyPersonCategory)  # transactional tests start with the data migration's rows gone
    world.users["unit_chief_a"] = make_user("unit_chief_a", Role.UNIT_CHIEF, world.unit_a1)
    world.users["cadre"] = make_user("cadre", Role.STATIONED_CADRE, world.c1)
    return world


def category(code: str) -> KeyPersonCategory:
    return KeyPersonCategory.objects.get(code=code, territory=None)


def resident_of(world, key: str = "a"):
    return world.households[key].head


def register(
    world, key: str = "a", *, code: str = "drug_rehabilitation", colour: str = "red", actor=None, **kw
):
    actor = actor or (world.grid_chief_a if key == "a" else world.secretary)
    return services.keyperson_register(
        actor=actor,
        resident=resident_of(world, key),
        category=category(code),
        risk_colour=colour,
        reason=kw.pop("reason", "戒毒康复期，需定期走访"),
        **kw,
    )
