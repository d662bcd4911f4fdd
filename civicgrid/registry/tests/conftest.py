"""Builders for the review queue's tests: self-registrations sent from a door plate."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from civicgrid.registry import services
from civicgrid.testing import id_number


def person(name: str, born: dt.date = dt.date(1990, 2, 3), relation: str = "head", **extra) -> dict:
    return {"name": name, "id_number": id_number(born), "relation": relation, **extra}


def send(house, *people: dict, kind: str = "register", note: str = ""):
    return services.self_registration_submit(
        house=house, kind=kind, people=list(people), note=note, idempotency_key=str(uuid.uuid4())
    )


@pytest.fixture
def house_a(world):
    return world.households["a"].house


@pytest.fixture
def new_house_a(world):
    return services.house_create(actor=world.secretary, unit=world.unit_a1, address="幸福路88号")
