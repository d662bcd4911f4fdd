"""Pages of in-service party members: reporting to the community, pledges and services (the member's own
page), and the community's year: who reported, hours, what was done, services to confirm."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid import access
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.partywork import selectors, services_inservice
from civicgrid.partywork import selectors_inservice as sel
from civicgrid.partywork.forms import DecideForm, PledgeForm, RegisterForm, ServiceForm
from civicgrid.partywork.periods import year_of
from civicgrid.partywork.permissions import INSERVICE, INSERVICE_MANAGE
from civicgrid.partywork.views import need_anywhere, put_error


def _record_context(user, member, *, pledge_form=None, service_form=None) -> dict:
    pledges = sel.member_pledges(member)
    return {
        "member": member,
        "pledges": pledges,
        "services": sel.member_services(member),
        "pledge_form": pledge_form or PledgeForm(),
        "service_form": service_form or ServiceForm(pledges=[p for p in pledges if not p.withdrawn_at]),
        "is_community": access.has_perm_at(user, INSERVICE_MANAGE, member.territory_path),
        "open": member.until is None,
    }


def _back(request, member):
    """The member back to their own page; the community back to the record."""
    if member.user_id == request.user.pk:
        return redirect("partywork:inservice_mine")
    return redirect("partywork:inservice_detail", member.pk)


# --- The member's own page


@login_required
def inservice_mine(request, *, form=None, status=200):
    need_anywhere(request.user, INSERVICE)
    records = sel.my_inservice(request.user)
    current = next((r for r in records if r.until is None), None)
    if current is not None and form is None:
        return render(
            request,
            "partywork/inservice_mine.html",
            {**_record_context(request.user, current), "records": records},
        )
    communities = sel.community_options_for(request.user, INSERVICE)
    form = form or RegisterForm(communities=communities, initial={"name": str(request.user)})
    return render(request, "partywork/inservice_mine.html", {"form": form, "records": records}, status=status)


@login_required
@require_POST
def inservice_register(request):
    need_anywhere(request.user, INSERVICE)
    form = RegisterForm(request.POST, communities=sel.community_options_for(request.user, INSERVICE))
    if form.is_valid():
        data = form.cleaned_data
        try:
            community = sel.community_get_for(request.user, data["community"], INSERVICE)
            services_inservice.inservice_party_member_register(
                actor=request.user,
                community=community,
                workplace=data["workplace"],
                name=data["name"],
                reported_on=data["reported_on"],
                user=request.user,
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("You have reported to %(community)s.") % {"community": community})
            return redirect("partywork:inservice_mine")
    return inservice_mine(request, form=form, status=400)


# --- The community's year


@login_required
def inservice_list(request, *, form=None, status=200):
    need_anywhere(request.user, INSERVICE_MANAGE)
    raw_year = request.GET.get("year", "")
    today = clock.today()
    year = (
        year_of(today.replace(year=int(raw_year)))
        if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100
        else year_of(today)
    )
    raw = request.GET.get("place", "")
    node = selectors.territory_for(request.user, int(raw), INSERVICE_MANAGE) if raw.isdigit() else None
    page = sel.inservice_list_for(request.user, year=year, node=node, cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {"page": page, "query": query.urlencode(), "year": year, "node": node}
    if request.htmx and request.GET.get("after"):
        return render(request, "partywork/_inservice_rows.html", context)
    communities = sel.community_options_for(request.user, INSERVICE_MANAGE)
    context.update(
        {
            "totals": sel.inservice_year_totals(request.user, year=year, node=node),
            "pending": sel.pending_services_for(request.user, node=node),
            "places": selectors.place_options_for(request.user, INSERVICE_MANAGE),
            "years": list(range(today.year, today.year - 5, -1)),
            "form": form or RegisterForm(communities=communities, name_required=True),
            "decide_form": DecideForm(),
        }
    )
    return render(request, "partywork/inservice_list.html", context, status=status)


@login_required
@require_POST
def inservice_enter(request):
    need_anywhere(request.user, INSERVICE_MANAGE)
    communities = sel.community_options_for(request.user, INSERVICE_MANAGE)
    form = RegisterForm(request.POST, communities=communities, name_required=True)
    if form.is_valid():
        data = form.cleaned_data
        try:
            community = sel.community_get_for(request.user, data["community"], INSERVICE_MANAGE)
            member = services_inservice.inservice_party_member_register(
                actor=request.user,
                community=community,
                workplace=data["workplace"],
                name=data["name"],
                reported_on=data["reported_on"],
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(
                request,
                _("%(name)s has reported to %(community)s.") % {"name": member.name, "community": community},
            )
            return _back(request, member)
    return inservice_list(request, form=form, status=400)


# --- One record: pledges and services


@login_required
def inservice_detail(request, member_id: int):
    member = sel.inservice_get_for(request.user, member_id)
    return render(request, "partywork/inservice_detail.html", _record_context(request.user, member))


def _rerender(request, member, **forms):
    template = "partywork/inservice_detail.html"
    return render(request, template, _record_context(request.user, member, **forms), status=400)


@login_required
@require_POST
def pledge_add(request, member_id: int):
    member = sel.inservice_get_for(request.user, member_id)
    form = PledgeForm(request.POST)
    if form.is_valid():
        try:
            services_inservice.pledge_create(actor=request.user, member=member, **form.cleaned_data)
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Pledge recorded."))
            return _back(request, member)
    return _rerender(request, member, pledge_form=form)


@login_required
@require_POST
def pledge_withdraw(request, pledge_id: int):
    pledge = sel.pledge_get_for(request.user, pledge_id)
    try:
        services_inservice.pledge_withdraw(actor=request.user, pledge=pledge)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Pledge withdrawn."))
    return _back(request, pledge.member)


@login_required
@require_POST
def service_add(request, member_id: int):
    member = sel.inservice_get_for(request.user, member_id)
    pledges = [p for p in sel.member_pledges(member) if not p.withdrawn_at]
    form = ServiceForm(request.POST, pledges=pledges)
    if form.is_valid():
        data = form.cleaned_data
        pledge = next((p for p in pledges if p.pk == data["pledge"]), None)
        try:
            record = services_inservice.service_record_create(
                actor=request.user,
                member=member,
                done_on=data["done_on"],
                hours=data["hours"],
                what=data["what"],
                pledge=pledge,
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(
                request,
                _("Service recorded.")
                if record.status == "confirmed"
                else _("Service recorded; the community will confirm it."),
            )
            return _back(request, member)
    return _rerender(request, member, service_form=form)


@login_required
@require_POST
def service_decide(request, service_id: int):
    record = sel.service_get_for(request.user, service_id)
    form = DecideForm(request.POST)
    form.is_valid()
    try:
        services_inservice.service_record_decide(
            actor=request.user,
            record=record,
            confirm=request.POST.get("confirm") == "1",
            note=form.cleaned_data.get("note", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("partywork:inservice_list")


@login_required
@require_POST
def inservice_leave(request, member_id: int):
    member = sel.inservice_get_for(request.user, member_id)
    try:
        services_inservice.inservice_party_member_leave(actor=request.user, member=member)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("%(name)s no longer reports to the community.") % {"name": member.name})
    return _back(request, member)
