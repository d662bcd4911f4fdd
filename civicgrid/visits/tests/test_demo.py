"""The demo's visits: loaded through the services onto the demo county, once."""

from __future__ import annotations

import pytest

from civicgrid.demo import visits as demo_visits
from civicgrid.demo.loader import demo_load
from civicgrid.visits.models import Visit, VisitDue, VisitKind, VisitRule

pytestmark = pytest.mark.django_db


def test_the_demo_adds_rules_and_a_grids_visits_once(django_user_model):
    assert demo_visits.load(seed=1) == {"visit_rules": 0, "visits": 0}  # no demo county yet
    demo_load(scale="small", seed=1, communities=1)
    counts = demo_visits.load(seed=1)
    assert counts["visit_rules"] == 6 and counts["visits"] > 50
    assert Visit.objects.filter(kind=VisitKind.COMPREHENSIVE).count() == counts["visits"]
    assert VisitDue.objects.filter(VisitDue.OPEN, due_on__lt="2000-01-01").count() == 0
    assert counts["visits_due_open"] > counts["visits"]  # every household has its next round due
    worker = django_user_model.objects.get(username="grid_worker")
    assert Visit.objects.filter(visitor=worker).count() > Visit.objects.exclude(visitor=worker).count() / 3
    again = demo_visits.load(seed=1)
    assert again == {"visit_rules": 0, "visits": 0}
    assert VisitRule.objects.count() == 6
