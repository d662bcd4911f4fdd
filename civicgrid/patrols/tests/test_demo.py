"""The demo's patrols: two teams, four weeks behind them, a shift tonight; loading twice adds nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from civicgrid.core import clock, registry
from civicgrid.demo import patrols as demo_patrols
from civicgrid.demo.loader import demo_load
from civicgrid.patrols import hours, selectors
from civicgrid.patrols.models import Attendance, PatrolFinding, PatrolShift, PatrolTeam
from civicgrid.patrols.views.today import today_context

pytestmark = pytest.mark.django_db


def test_the_demo_patrols_load_once_through_the_services(django_user_model, categories):
    demo_load(scale="small", seed=1)
    counts = demo_patrols.load(seed=1)
    assert counts["patrol_teams"] == 2 and counts["patrol_shifts"] >= 20
    assert counts["patrol_findings"] == PatrolFinding.objects.count() > 0
    assert PatrolFinding.objects.filter(case__isnull=False).count() == counts["cases"]
    assert demo_patrols.load(seed=1) == dict.fromkeys(counts, 0)
    assert PatrolTeam.objects.count() == 2

    # The history is closed: nobody is left checked in on a past shift, and the sweep marked the forgotten.
    past = PatrolShift.objects.filter(closed_at__isnull=False)
    assert past.exists()
    assert not Attendance.objects.filter(
        shift__in=past, checked_out_at__isnull=True, checked_in_at__isnull=False
    )
    leader = django_user_model.objects.get(username="party_member")
    team = PatrolTeam.objects.get(leader=leader)
    weeks = hours.Period(clock.today() - dt.timedelta(days=29), clock.today())
    assert sum(m.hours for m in selectors.member_hours_for(leader, team, weeks)) > 0
    secretary = django_user_model.objects.get(username="community_secretary")
    assert {t.pk for t in selectors.team_hours_for(secretary, weeks) if t.hours} == set(
        PatrolTeam.objects.values_list("pk", flat=True)
    )
    assert today_context(leader)["mine"]  # tonight's shift is on the leader's today page
    assert "patrols" in {s.name for s in registry.sweeps()}


@pytest.mark.parametrize("hour, minute", [(21, 30), (23, 50)])
def test_a_demo_loaded_late_at_night_still_has_tonights_shift_today(
    django_user_model, categories, hour, minute
):
    local_now = timezone.localtime(clock.now())
    late = local_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    with clock.moved(late - local_now):
        demo_load(scale="small", seed=1)
        demo_patrols.load(seed=1)
        leader = django_user_model.objects.get(username="party_member")
        mine = today_context(leader)["mine"]
        assert any(a.shift.starts_at <= clock.now() < a.shift.ends_at for a in mine)
