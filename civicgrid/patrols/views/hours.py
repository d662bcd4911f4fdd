"""Hours on patrol: per team across a community (or any place in view), and per member of one team."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from civicgrid.patrols import hours as hours_mod
from civicgrid.patrols import rules, selectors
from civicgrid.patrols.forms import PeriodForm
from civicgrid.patrols.views.common import need_anywhere, period_from


@login_required
def hours(request):
    need_anywhere(request.user, rules.VIEW)
    period, preset, complaint = period_from(request)
    raw = request.GET.get("territory", "")
    place = selectors.hours_place_for(request.user, int(raw)) if raw.isdigit() else None
    teams = selectors.team_hours_for(request.user, period, territory=place)
    form = PeriodForm(
        initial={"first": period.first, "last": period.last, "territory": place.pk if place else ""},
        places=selectors.hours_places_for(request.user),
    )
    context = {
        "teams": teams,
        "place": place,
        "period": period,
        "preset": preset,
        "presets": [(key, label) for key, (label, _fn) in hours_mod.PRESETS.items()],
        "complaint": complaint,
        "form": form,
        "total": round(sum(t.hours for t in teams), 1),
        "territory_query": f"territory={place.pk}&" if place else "",
    }
    return render(request, "patrols/hours.html", context)


@login_required
def team_hours(request, pk: int):
    team = selectors.team_get_for(request.user, pk)
    period, preset, complaint = period_from(request)
    members = selectors.member_hours_for(request.user, team, period)
    context = {
        "team": team,
        "members": members,
        "period": period,
        "preset": preset,
        "presets": [(key, label) for key, (label, _fn) in hours_mod.PRESETS.items()],
        "complaint": complaint,
        "form": PeriodForm(initial={"first": period.first, "last": period.last}),
        "total": round(sum(m.hours for m in members), 1),
    }
    return render(request, "patrols/team_hours.html", context)
