"""Findings: recorded on a shift, listed, raised as a case or settled on the spot; the photo."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid import access
from civicgrid.cases.forms import active_categories
from civicgrid.cases.selectors import category_by_code
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import rules, selectors, services
from civicgrid.patrols.forms import FindingForm, RaiseForm, SettleForm
from civicgrid.patrols.views.common import need_anywhere, put_error
from civicgrid.patrols.views.shifts import member_for, shift_page


@login_required
@require_POST
def finding_record(request, pk: int):
    shift = selectors.shift_get_for(request.user, pk)
    form = FindingForm(request.POST, request.FILES, categories=active_categories())
    if form.is_valid():
        data = form.cleaned_data
        category = category_by_code(data["category"]) if data["category"] else None
        try:
            member = member_for(request, shift, form)
            finding = services.finding_record(
                actor=request.user,
                shift=shift,
                member=member,
                description=data["description"],
                place=data["place"],
                lon=data["lon"],
                lat=data["lat"],
                photo=data["photo"],
                raise_case=data["raise_case"],
                category=category,
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            if finding.case_id:
                messages.success(
                    request, _("Recorded, and raised as case %(code)s.") % {"code": finding.case.code}
                )
            else:
                messages.success(request, _("Finding recorded."))
            return redirect("patrols:shift_detail", shift.pk)
    return shift_page(request, shift, finding_form=form, status=400)


@login_required
def finding_list(request):
    need_anywhere(request.user, rules.TAKE_PART)
    open_only = request.GET.get("open") == "1"
    page = selectors.finding_list_for(request.user, open_only=open_only, cursor=request.GET.get("after"))
    context = {"page": page, "open_only": open_only, "query": "open=1" if open_only else ""}
    if request.htmx and request.GET.get("after"):
        return render(request, "patrols/_finding_rows.html", context)
    return render(request, "patrols/finding_list.html", context)


def _finding_page(request, finding, *, raise_form=None, settle_form=None, status: int = 200):
    context = {
        "finding": finding,
        "shift": finding.shift,
        "team": finding.shift.team,
        "can_open_case": bool(finding.case)
        and access.has_perm_at(request.user, "cases.view", finding.case.territory_path),
    }
    if finding.is_open and rules.may_act_for(request.user, finding.shift.team, finding.member):
        context["raise_form"] = raise_form or RaiseForm(categories=active_categories())
        context["settle_form"] = settle_form or SettleForm()
    return render(request, "patrols/finding_detail.html", context, status=status)


@login_required
def finding_detail(request, pk: int):
    return _finding_page(request, selectors.finding_get_for(request.user, pk))


@login_required
@require_POST
def finding_raise(request, pk: int):
    finding = selectors.finding_get_for(request.user, pk)
    form = RaiseForm(request.POST, categories=active_categories())
    if form.is_valid():
        try:
            case = services.finding_raise(
                actor=request.user, finding=finding, category=category_by_code(form.cleaned_data["category"])
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Raised as case %(code)s.") % {"code": case.code})
            return redirect("patrols:finding_detail", finding.pk)
    return _finding_page(request, finding, raise_form=form, status=400)


@login_required
@require_POST
def finding_settle(request, pk: int):
    finding = selectors.finding_get_for(request.user, pk)
    form = SettleForm(request.POST)
    if form.is_valid():
        try:
            services.finding_settle(actor=request.user, finding=finding, note=form.cleaned_data["note"])
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Marked as settled on the spot."))
            return redirect("patrols:finding_detail", finding.pk)
    return _finding_page(request, finding, settle_form=form, status=400)


@login_required
def finding_photo(request, pk: int):
    finding = selectors.finding_get_for(request.user, pk)
    if not finding.photo:
        raise Http404
    response = FileResponse(finding.photo.open("rb"), content_type=finding.photo_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response
