"""Shifts: the list ahead, a shift with its roll call, one-tap check-in and check-out."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.cases.forms import active_categories
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import rules, selectors, services
from civicgrid.patrols.forms import FindingForm, PointForm
from civicgrid.patrols.views.common import back, need_anywhere, refused


@login_required
def shift_list(request):
    need_anywhere(request.user, rules.TAKE_PART)
    page = selectors.shift_list_for(request.user, since=clock.now(), cursor=request.GET.get("after"))
    if request.htmx and request.GET.get("after"):
        return render(request, "patrols/_shift_rows.html", {"page": page})
    return render(request, "patrols/shift_list.html", {"page": page})


def shift_page(request, shift, *, finding_form=None, status: int = 200):
    context = selectors.shift_detail_for(request.user, shift)
    if context["is_open"] and context["my_member"] and context["mine"] and context["mine"].checked_in_at:
        context["finding_form"] = finding_form or FindingForm(categories=active_categories())
    return render(request, "patrols/shift_detail.html", context, status=status)


@login_required
def shift_detail(request, pk: int):
    return shift_page(request, selectors.shift_get_for(request.user, pk))


def member_for(request, shift, form: PointForm):
    """The member the tap is for: a member id sent by the leader, else the user's own membership."""
    member_pk = form.cleaned_data.get("member")
    if member_pk:
        return selectors.member_get_for(request.user, shift.team, member_pk)
    member = selectors.my_member(request.user, shift.team)
    if member is None:
        raise ApplicationError(_("You are not on this team."), code="not_member")
    return member


def _tap(request, pk: int, *, checking_in: bool):
    shift = selectors.shift_get_for(request.user, pk)
    here = reverse("patrols:shift_detail", args=[shift.pk])
    form = PointForm(request.POST)
    if not form.is_valid():
        return refused(request, ApplicationError(_("The position sent is not valid.")), here)
    try:
        member = member_for(request, shift, form)
        if checking_in:
            point = {"lon": form.cleaned_data["lon"], "lat": form.cleaned_data["lat"]}
            services.attendance_check_in(actor=request.user, shift=shift, member=member, **point)
            done = _("%(name)s checked in to %(team)s.")
        else:
            services.attendance_check_out(actor=request.user, shift=shift, member=member)
            done = _("%(name)s checked out. Thank you!")
    except ApplicationError as exc:
        return refused(request, exc, here)
    messages.success(request, done % {"name": member.display_name, "team": shift.team.name})
    return back(request, here)


@login_required
@require_POST
def check_in(request, pk: int):
    return _tap(request, pk, checking_in=True)


@login_required
@require_POST
def check_out(request, pk: int):
    return _tap(request, pk, checking_in=False)
