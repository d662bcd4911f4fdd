"""The party-work demo: plausible, deterministic for a seed, idempotent, through the services."""

from __future__ import annotations

import pytest
from django.db import transaction

from civicgrid.demo import partywork as demo
from civicgrid.demo.loader import demo_load
from civicgrid.partywork import coverage, selectors
from civicgrid.partywork.models import ContactLog, ContactPairing, EndReason, ServiceRecord

pytestmark = pytest.mark.django_db


def _load(seed: int) -> tuple[dict, list]:
    with transaction.atomic():
        demo_load(scale="small", seed=1, communities=1)
        counts = demo.load(seed=seed)
        rows = list(
            ContactLog.objects.order_by("pk").values_list("household__number", "contacted_on", "method")
        )
        transaction.set_rollback(True)
    return counts, rows


def test_the_demo_pairs_members_logs_weeks_of_contacts_and_hands_over_once():
    from django.contrib.auth import get_user_model

    demo_load(scale="small", seed=1, communities=1)
    counts = demo.load(seed=1)
    assert counts["pairings"] >= 38 and counts["handed_over"] == 5 and counts["contacts"] > 100
    assert counts["inservice_members"] >= 2 and counts["services"] >= counts["inservice_members"]
    assert ContactPairing.objects.filter(end_reason=EndReason.HANDED_OVER).count() == 5
    assert ServiceRecord.objects.filter(status="confirmed").exists()

    member = get_user_model().objects.get(username="party_member")
    mine = selectors.my_pairings(member)
    assert len(mine) == 13
    assert any(not p.contacted for p in mine), "this week is left half done"
    chief = get_user_model().objects.get(username="grid_chief")
    cov = coverage.coverage_for(chief, node=selectors.default_node(chief))
    assert 0 < cov.total.week < cov.total.paired and 0 < cov.total.month <= cov.total.paired
    assert cov.unpaired > 0

    assert demo.load(seed=1) == {}


def test_the_same_seed_gives_the_same_contacts():
    first = _load(1)
    assert first[1] and first == _load(1)
