"""Teams: the list, a team's page with members, areas, shifts and hours, and the forms that manage it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid import access
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import rules, selectors, services
from civicgrid.patrols.forms import AreaForm, MemberForm, ShiftForm, TeamEditForm, TeamForm
from civicgrid.patrols.views.common import need_anywhere, period_from, put_error, refused


@login_required
def team_list(request):
    need_anywhere(request.user, rules.TAKE_PART)
    page = selectors.team_list_for(request.user, cursor=request.GET.get("after"))
    context = {"page": page, "can_create": bool(selectors.team_places_for(request.user, limit=1))}
    if request.htmx and request.GET.get("after"):
        return render(request, "patrols/_team_rows.html", context)
    return render(request, "patrols/team_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request):
    need_anywhere(request.user, rules.MANAGE)
    places = selectors.team_places_for(request.user)
    form = TeamForm(request.POST or None, places=places)
    if request.method == "POST" and form.is_valid():
        place = next(p for p in places if str(p.pk) == form.cleaned_data["territory"])
        try:
            team = services.team_create(
                actor=request.user,
                territory=place,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Team %(name)s set up. Add its members next.") % {"name": team.name})
            return redirect("patrols:team_detail", team.pk)
    return render(request, "patrols/team_form.html", {"form": form, "team": None})


def _team_page(request, team, *, member_form=None, area_form=None, open_form: str = "", status: int = 200):
    period, preset, complaint = period_from(request)
    context = selectors.team_detail_for(request.user, team, period)
    context |= {"period": period, "preset": preset, "complaint": complaint, "open_form": open_form}
    if context["can_manage"]:
        context["member_form"] = member_form or MemberForm(candidates=selectors.member_candidates_for(team))
        context["area_form"] = area_form or AreaForm(places=selectors.area_places_for(team))
    return render(request, "patrols/team_detail.html", context, status=status)


@login_required
def team_detail(request, pk: int):
    return _team_page(request, selectors.team_get_for(request.user, pk))


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request, pk: int):
    team = selectors.team_get_for(request.user, pk)
    rules.check_manage(request.user, team)
    members = [m for m in team.members.filter(left_at__isnull=True).select_related("user")]
    initial = {"name": team.name, "description": team.description, "leader": team.leader_id or ""}
    form = TeamEditForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        leader = next((m.user for m in members if str(m.user_id) == form.cleaned_data["leader"]), None)
        try:
            services.team_update(
                actor=request.user,
                team=team,
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                leader=leader,
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("patrols:team_detail", team.pk)
    can_retire = access.has_perm_at(request.user, rules.MANAGE, team.territory_path) and team.is_active
    return render(request, "patrols/team_form.html", {"form": form, "team": team, "can_retire": can_retire})


@login_required
@require_POST
def team_retire(request, pk: int):
    team = selectors.team_get_for(request.user, pk)
    try:
        services.team_retire(actor=request.user, team=team)
    except ApplicationError as exc:
        return refused(request, exc, reverse("patrols:team_detail", args=[team.pk]))
    messages.success(
        request, _("Team %(name)s retired; its shifts and hours stay on record.") % {"name": team.name}
    )
    return redirect("patrols:team_list")


@login_required
@require_POST
def member_add(request, pk: int):
    team = selectors.team_get_for(request.user, pk)
    rules.check_manage(request.user, team)
    candidates = selectors.member_candidates_for(team)
    form = MemberForm(request.POST, candidates=candidates)
    if form.is_valid():
        user = None
        if form.cleaned_data["user"]:
            user = get_user_model().objects.filter(pk=form.cleaned_data["user"]).first()
        try:
            member = services.member_add(
                actor=request.user, team=team, user=user, name=form.cleaned_data["name"]
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("%(name)s joined the team.") % {"name": member.display_name})
            return redirect("patrols:team_detail", team.pk)
    # The team page again, with the form's errors and what was typed.
    return _team_page(request, team, member_form=form, open_form="member", status=400)


@login_required
@require_POST
def member_remove(request, pk: int, member_pk: int):
    team = selectors.team_get_for(request.user, pk)
    member = selectors.member_get_for(request.user, team, member_pk)
    try:
        services.member_remove(actor=request.user, member=member)
    except ApplicationError as exc:
        return refused(request, exc, reverse("patrols:team_detail", args=[team.pk]))
    messages.success(request, _("%(name)s left the team.") % {"name": member.display_name})
    return redirect("patrols:team_detail", team.pk)


@login_required
@require_POST
def area_add(request, pk: int):
    team = selectors.team_get_for(request.user, pk)
    rules.check_manage(request.user, team)
    places = selectors.area_places_for(team)
    form = AreaForm(request.POST, places=places)
    if form.is_valid():
        place = next((p for p in places if str(p.pk) == form.cleaned_data["territory"]), None)
        try:
            services.area_add(
                actor=request.user,
                team=team,
                name=form.cleaned_data["name"],
                territory=place,
                route=form.cleaned_data["route"],
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Area added."))
            return redirect("patrols:team_detail", team.pk)
    return _team_page(request, team, area_form=form, open_form="area", status=400)


@login_required
@require_POST
def area_retire(request, pk: int, area_pk: int):
    team = selectors.team_get_for(request.user, pk)
    area = selectors.area_get_for(request.user, team, area_pk)
    services.area_retire(actor=request.user, area=area)
    messages.success(request, _("Area removed."))
    return redirect("patrols:team_detail", team.pk)


@login_required
@require_http_methods(["GET", "POST"])
def shift_plan(request, pk: int):
    team = selectors.team_get_for(request.user, pk)
    rules.check_manage(request.user, team)
    areas = list(team.areas.filter(retired_at__isnull=True))
    members = list(team.members.filter(left_at__isnull=True).select_related("user"))
    form = ShiftForm(request.POST or None, areas=areas, members=members)
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        chosen = set(form.cleaned_data["members"])
        try:
            shift = services.shift_plan(
                actor=request.user,
                team=team,
                starts_at=starts_at,
                ends_at=ends_at,
                area=next((a for a in areas if str(a.pk) == form.cleaned_data["area"]), None),
                members=[m for m in members if str(m.pk) in chosen],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Shift planned."))
            return redirect("patrols:shift_detail", shift.pk)
    return render(request, "patrols/shift_form.html", {"form": form, "team": team})
