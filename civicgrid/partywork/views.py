"""Pages of contact pairings: a member's own households (phone first), coverage for the grid chief and
the community, and one member's page where pairings are made, ended and handed over.

Thin: parse, check access, one selector or service, render. Refusals come back on the field they name.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid import access
from civicgrid.core.errors import ApplicationError
from civicgrid.partywork import coverage, selectors, services
from civicgrid.partywork.forms import ContactForm, HandOverForm, PairForm
from civicgrid.partywork.periods import week_of
from civicgrid.partywork.permissions import CONTACT, PAIR, VIEW


def need_anywhere(user, perm: str) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


def put_error(form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


def _week(request):
    raw = request.GET.get("week", "")
    try:
        return week_of(dt.date.fromisoformat(raw)) if raw else week_of()
    except ValueError:
        return week_of()


# --- A member's own contact households


def _mine_context(user, *, failed: int | None = None, form=None) -> dict:
    week = week_of()
    rows = selectors.my_pairings(user, week=week)
    for row in rows:
        row.form = form if row.pk == failed else ContactForm(prefix=f"c{row.pk}")
    return {
        "week": week,
        "not_contacted": [r for r in rows if not r.contacted],
        "contacted": [r for r in rows if r.contacted],
        "tally": coverage.member_tally(user, user.pk, week=week),
    }


@login_required
def mine(request):
    if not access.has_anywhere(request.user, CONTACT):
        if access.has_anywhere(request.user, VIEW):
            return redirect("partywork:coverage")
        raise PermissionDenied
    return render(request, "partywork/mine.html", _mine_context(request.user))


@login_required
@require_POST
def contact(request, pairing_id: int):
    pairing = selectors.pairing_get_for(request.user, pairing_id, CONTACT)
    form = ContactForm(request.POST, prefix=f"c{pairing.pk}")
    ok = form.is_valid()
    if ok:
        try:
            services.contact_log_create(
                actor=request.user,
                pairing=pairing,
                method=form.cleaned_data["method"],
                note=form.cleaned_data["note"],
                contacted_on=form.cleaned_data["contacted_on"],
            )
        except ApplicationError as exc:
            put_error(form, exc)
            ok = False
    if ok and not request.htmx:
        messages.success(request, _("Contact with %(household)s recorded.") % {"household": _label(pairing)})
        return redirect("partywork:mine")
    context = _mine_context(request.user, failed=None if ok else pairing.pk, form=form)
    if ok:
        context["done"] = _("Contact with %(household)s recorded.") % {"household": _label(pairing)}
    template = "partywork/_mine_lists.html" if request.htmx else "partywork/mine.html"
    return render(request, template, context, status=200 if ok else 400)


def _label(pairing) -> str:
    household = pairing.household
    return f"{household.head.name} · {household.number}" if household.head_id else household.number


# --- Coverage: the grid chief, the community, the town


@login_required
def coverage_page(request):
    need_anywhere(request.user, VIEW)
    raw = request.GET.get("place", "")
    node = (
        selectors.territory_for(request.user, int(raw))
        if raw.isdigit()
        else selectors.default_node(request.user)
    )
    week = _week(request)
    page = coverage.uncontacted_for(request.user, node=node, week=week, cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {"page": page, "query": query.urlencode(), "node": node, "week": week}
    if request.htmx and request.GET.get("after"):
        return render(request, "partywork/_uncontacted_rows.html", context)
    context.update(
        {
            "cov": coverage.coverage_for(request.user, node=node, week=week),
            "places": selectors.place_options_for(request.user),
            "previous_week": week.start - dt.timedelta(days=7),
            "next_week": week.start + dt.timedelta(days=7) if not week.is_current else None,
            "typical_max": services.TYPICAL_MAX,
        }
    )
    return render(request, "partywork/coverage.html", context)


# --- One member: their households, pairing, ending, handing over


def _member_context(user, member, *, pair_form=None, handover_form=None) -> dict:
    week = week_of()
    can_pair = any(access.has_perm_at(user, PAIR, g.path) for g in member.grids)
    unpaired = selectors.unpaired_households_for(user, member) if can_pair else []
    candidates = selectors.handover_candidates_for(user, member) if can_pair else []
    return {
        "member": member,
        "week": week,
        "pairings": selectors.member_pairings_for(user, member, week=week),
        "history": selectors.member_history_for(user, member),
        "tally": coverage.member_tally(user, member.pk, week=week),
        "can_pair": can_pair,
        "unpaired": unpaired,
        "pair_form": pair_form or PairForm(households=unpaired),
        "chosen": {
            int(v) for v in (pair_form.data.getlist("households") if pair_form else []) if str(v).isdigit()
        },
        "handover_form": handover_form or HandOverForm(candidates=candidates),
        "typical_max": services.TYPICAL_MAX,
    }


@login_required
def member_detail(request, member_id: int):
    member = selectors.member_get_for(request.user, member_id)
    return render(request, "partywork/member_detail.html", _member_context(request.user, member))


def _warn(request, warnings: list[str]) -> None:
    for warning in warnings:
        messages.warning(request, warning)


@login_required
@require_POST
def member_pair(request, member_id: int):
    member = selectors.member_get_for(request.user, member_id, PAIR)
    unpaired = selectors.unpaired_households_for(request.user, member)
    form = PairForm(request.POST, households=unpaired)
    if form.is_valid():
        chosen = {h.pk: h for h in unpaired}
        try:
            result = services.contact_pairing_create(
                actor=request.user,
                member=member.user,
                households=[chosen[i] for i in form.cleaned_data["households"]],
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(
                request,
                _("%(n)d households paired with %(member)s.") % {"n": len(result.pairings), "member": member},
            )
            _warn(request, result.warnings)
            return redirect("partywork:member_detail", member.pk)
    context = _member_context(request.user, member, pair_form=form)
    return render(request, "partywork/member_detail.html", context, status=400)


@login_required
@require_POST
def pairing_end(request, pairing_id: int):
    pairing = selectors.pairing_get_for(request.user, pairing_id, PAIR)
    try:
        services.contact_pairing_end(actor=request.user, pairing=pairing)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Pairing with %(household)s ended.") % {"household": _label(pairing)})
    return redirect("partywork:member_detail", pairing.member_id)


@login_required
@require_POST
def member_hand_over(request, member_id: int):
    member = selectors.member_get_for(request.user, member_id, PAIR)
    candidates = selectors.handover_candidates_for(request.user, member)
    form = HandOverForm(request.POST, candidates=candidates)
    if form.is_valid():
        to_id = form.cleaned_data["to_member"]
        to_member = next((m.user for m in candidates if m.pk == to_id), None)
        try:
            result = services.contact_pairing_hand_over(
                actor=request.user, member=member.user, to_member=to_member
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            if to_member is not None:
                messages.success(
                    request,
                    _("%(n)d households handed over to %(member)s.")
                    % {"n": len(result.made), "member": to_member},
                )
            else:
                messages.success(
                    request,
                    _("%(n)d households are now unpaired and listed for a new pairing.")
                    % {"n": len(result.ended)},
                )
            _warn(request, result.warnings)
            return redirect(
                reverse("partywork:member_detail", args=[to_member.pk])
                if to_member
                else reverse("partywork:coverage")
            )
    context = _member_context(request.user, member, handover_form=form)
    return render(request, "partywork/member_detail.html", context, status=400)
