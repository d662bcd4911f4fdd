"""Visit personas and rules on top of the shared world.

Key-person visits are visible only to holders of `keypersons.view`, a permission the key persons
module declares. So that these tests do not depend on which roles that module chooses, the
`key_person_access` fixture replaces every declaration of it with one: the people's mediator role
holds it. `key_worker` is a grid worker on grid A who is also a mediator there.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from civicgrid.accounts.roles import Role
from civicgrid.core import clock
from civicgrid.core import registry as module_registry
from civicgrid.core.registry import Manifest, Permission
from civicgrid.registry.models import Tag
from civicgrid.testing import make_user
from civicgrid.visits import services
from civicgrid.visits.models import RuleTarget
from civicgrid.visits.tests.helpers import KEY_PERSON_PERM, NOW, START


@pytest.fixture(autouse=True)
def _frozen_clock():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def key_person_access(monkeypatch):
    manifests = {}
    for name, manifest in module_registry._manifests.items():
        kept = [p for p in manifest.permissions if p.code != KEY_PERSON_PERM]
        manifests[name] = dataclasses.replace(manifest, permissions=kept)
    manifests["visits_test_keypersons"] = Manifest(
        name="visits_test_keypersons",
        label="key persons (test)",
        permissions=[Permission(KEY_PERSON_PERM, "see key persons", (Role.MEDIATOR,))],
    )
    monkeypatch.setattr(module_registry, "_manifests", manifests)


@pytest.fixture
def key_worker(world, key_person_access):
    from civicgrid.accounts import services as accounts_services

    user = make_user("key_worker", Role.GRID_WORKER, world.grid_a)
    accounts_services.role_assign(actor=None, user=user, role=Role.MEDIATOR, territory=world.grid_a)
    return user


@pytest.fixture
def rules(world):
    """A yearly round for the county, lonely elderly monthly in C1, return visits 7 days after a case."""
    lonely = Tag.objects.get(code="lonely_elderly")
    return {
        "round": services.rule_create(
            actor=world.town_officer,
            territory=world.town,
            target=RuleTarget.ALL_HOUSEHOLDS,
            interval_days=365,
            starts_on=START - dt.timedelta(days=365),
        ),
        "lonely": services.rule_create(
            actor=world.secretary,
            territory=world.c1,
            target=RuleTarget.TAG,
            tag=lonely,
            interval_days=30,
            starts_on=START - dt.timedelta(days=30),
        ),
        "return": services.rule_create(
            actor=world.town_officer,
            territory=world.town,
            target=RuleTarget.CASE_CLOSED,
            interval_days=7,
            starts_on=START,
        ),
    }
