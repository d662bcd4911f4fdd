"""The demo key persons: written through the services, deterministic for a seed, loaded once."""

from __future__ import annotations

import pytest

from civicgrid.accounts.models import RoleAssignment
from civicgrid.audit.models import AuditEvent
from civicgrid.core import paths
from civicgrid.demo import keypersons as demo
from civicgrid.demo.loader import demo_load
from civicgrid.keypersons.models import KeyPerson, Status

pytestmark = pytest.mark.django_db


def test_nothing_happens_without_the_demo_county():
    assert demo.load(seed=1) == {"key_persons": 0, "reviews": 0, "visits": 0, "ended": 0}


def test_the_demo_county_gets_key_persons_once_with_some_in_the_grid_chiefs_grid():
    demo_load(scale="small", seed=1, communities=2)
    counts = demo.load(seed=1)
    assert counts["key_persons"] >= 5 and counts["visits"] > 0
    assert KeyPerson.objects.count() == counts["key_persons"]
    assert AuditEvent.objects.filter(action="keyperson.register").count() == counts["key_persons"]
    grid = RoleAssignment.objects.get(user__username="grid_chief").territory_path
    mine = KeyPerson.objects.filter(paths.subtree_q("territory_path", grid), status=Status.ACTIVE)
    assert mine.exists()
    assert demo.load(seed=1) == {"key_persons": 0, "reviews": 0, "visits": 0, "ended": 0}
    assert not AuditEvent.objects.filter(action="keyperson.read").exists()
