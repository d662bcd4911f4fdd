"""Domain events reach subscribers in a deliberate order."""

from __future__ import annotations

import pytest

from civicgrid.core import registry
from civicgrid.core.registry import Manifest


@pytest.fixture
def isolated(monkeypatch):
    monkeypatch.setattr(registry, "_manifests", {})
    monkeypatch.setattr(registry, "_subscribers", registry.defaultdict(list))


def test_a_subscriber_that_writes_shared_rows_runs_after_the_others_whatever_the_manifest_order(isolated):
    calls = []

    @registry.writes_shared_rows
    def roll_up(**payload):
        calls.append(("roll_up", payload["n"]))

    def notify(**payload):
        calls.append(("notify", payload["n"]))

    def visits(**payload):
        calls.append(("visits", payload["n"]))

    registry.register(
        Manifest(name="first", label="first", subscriptions={"thing.changed": [roll_up, notify]})
    )
    registry.register(Manifest(name="second", label="second", subscriptions={"thing.changed": [visits]}))
    registry.publish("thing.changed", n=1)
    assert calls == [("notify", 1), ("visits", 1), ("roll_up", 1)]


def test_the_roll_up_is_the_last_subscriber_of_a_case_change():
    handlers = registry._subscribers["case.changed"]
    assert handlers[-1].__module__ == "civicgrid.cases.measures_tally"
    assert len(handlers) > 1
