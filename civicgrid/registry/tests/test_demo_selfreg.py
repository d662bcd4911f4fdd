"""The demo's self-registrations and corrections: through the services, on the demo county, once."""

from __future__ import annotations

import pytest

from civicgrid.demo import selfreg
from civicgrid.demo.loader import demo_load
from civicgrid.registry.models import RegistryCorrection, ReviewStatus, SelfRegistration

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_review_queue_once(django_user_model):
    assert selfreg.load(seed=1) == {"self_registrations": 0, "corrections": 0}  # no demo county yet
    demo_load(scale="small", seed=1, communities=1)
    counts = selfreg.load(seed=1)
    assert counts["self_registrations"] >= 5 and counts["corrections"] >= 3
    statuses = set(SelfRegistration.objects.values_list("status", flat=True))
    assert {ReviewStatus.WAITING, ReviewStatus.APPROVED, ReviewStatus.REJECTED} <= statuses
    assert RegistryCorrection.objects.filter(status=ReviewStatus.WAITING).exists()
    assert counts["self_registrations_waiting"] > 0
    chief = django_user_model.objects.get(username="grid_chief")
    from civicgrid.registry import selectors

    assert sum(selectors.waiting_counts_for(chief).values()) == (
        counts["self_registrations_waiting"] + counts["corrections_waiting"]
    )
    assert selfreg.load(seed=1) == {"self_registrations": 0, "corrections": 0}
    assert SelfRegistration.objects.count() == counts["self_registrations"]
