"""Key-person pages: the list by colour (soonest due first), one person, registering, cadences.

Thin: parse, check, one selector or service, render. Every page that shows people is recorded by
its selector. Refusals come back as a message on the field the service names.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid import access
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.keypersons import selectors, services
from civicgrid.keypersons.forms import CadenceForm, EndForm, RegisterForm, ReviewForm
from civicgrid.keypersons.models import COLOUR_ORDER, RiskColour, Status
from civicgrid.registry import selectors as registry_selectors
from civicgrid.territory.models import Territory


def _need_anywhere(user, perm: str) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


def _put_error(form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


# --- The list


def _filters(request) -> selectors.Filters:
    territory = None
    raw = request.GET.get("territory", "")
    if raw.isdigit():
        territory = access.get_for(
            request.user, Territory.objects.all(), services.VIEW, field="path", pk=int(raw)
        )
    status = request.GET.get("status", Status.ACTIVE)
    return selectors.Filters(
        colour=request.GET.get("colour", "")[:8],
        status=status if status in Status.values else Status.ACTIVE,
        due=request.GET.get("due", "")[:8],
        category=request.GET.get("category", "")[:40],
        q=request.GET.get("q", "")[:50],
        territory=territory,
    )


@login_required
def keyperson_list(request):
    _need_anywhere(request.user, services.VIEW)
    filters = _filters(request)
    page = selectors.keyperson_list_for(request.user, filters, cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {"page": page, "filters": filters, "query": query.urlencode()}
    if request.htmx and request.GET.get("after"):
        return render(request, "keypersons/_rows.html", context)
    counts = selectors.colour_counts_for(request.user, filters)
    base = request.GET.copy()
    for key in ("after", "colour", "due"):
        base.pop(key, None)
    context.update(
        {
            "counts": counts,
            "soon_days": selectors.DUE_SOON_DAYS,
            "colours": [(c, RiskColour(c).label, counts[c]) for c in COLOUR_ORDER],
            "base_query": base.urlencode(),
            "statuses": Status.choices,
            "categories": selectors.categories_for(request.user, services.VIEW),
            "places": registry_selectors.territory_options_for(request.user, services.VIEW),
            "can_register": access.has_anywhere(request.user, services.MANAGE),
        }
    )
    return render(request, "keypersons/list.html", context)


# --- One key person


def _render_detail(request, kp, *, review_form=None, end_form=None, status: int = 200):
    detail = selectors.keyperson_detail_for(request.user, kp)
    context = {
        "kp": kp,
        **detail,
        "review_form": review_form or ReviewForm(initial={"risk_colour": kp.risk_colour}),
        "end_form": end_form or EndForm(),
        "open_form": "review" if review_form else "end" if end_form else "",
    }
    return render(request, "keypersons/detail.html", context, status=status)


@login_required
def keyperson_detail(request, pk: int):
    kp = selectors.keyperson_get_for(request.user, pk)
    return _render_detail(request, kp)


@login_required
@require_POST
def keyperson_review(request, pk: int):
    kp = selectors.keyperson_get_for(request.user, pk, services.MANAGE)
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.keyperson_review(
                actor=request.user,
                key_person=kp,
                risk_colour=form.cleaned_data["risk_colour"],
                reason=form.cleaned_data["reason"],
            )
        except ApplicationError as exc:
            _put_error(form, exc)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect("keypersons:detail", pk=kp.pk)
    kp = selectors.keyperson_get_for(request.user, pk)
    return _render_detail(request, kp, review_form=form, status=400)


@login_required
@require_POST
def keyperson_end(request, pk: int):
    kp = selectors.keyperson_get_for(request.user, pk, services.MANAGE)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services.keyperson_end(actor=request.user, key_person=kp, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            _put_error(form, exc)
        else:
            messages.success(request, _("Management has ended."))
            return redirect("keypersons:detail", pk=kp.pk)
    kp = selectors.keyperson_get_for(request.user, pk)
    return _render_detail(request, kp, end_form=form, status=400)


# --- Registering a resident as a key person


def _chosen(request, raw) -> object | None:
    if not str(raw or "").isdigit():
        return None
    try:
        return selectors.resident_for_register(request.user, int(raw))
    except (Http404, PermissionDenied):
        return None


@login_required
def resident_search(request):
    """The resident picker's results (htmx), from a name start, an ID number or a phone."""
    _need_anywhere(request.user, services.MANAGE)
    q = request.GET.get("q", "")[:50]
    return render(
        request,
        "keypersons/_resident_choices.html",
        {"residents": selectors.resident_options_for(request.user, q), "q": q, "chosen": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def keyperson_register(request):
    _need_anywhere(request.user, services.MANAGE)
    categories = selectors.categories_for(request.user)
    q = (request.POST.get("q") or request.GET.get("q", ""))[:50]
    chosen = _chosen(request, request.POST.get("resident") or request.GET.get("resident"))
    initial = {"since": clock.today(), "resident": chosen.pk if chosen else None}
    form = RegisterForm(request.POST or None, categories=categories, initial=initial)
    if request.method == "POST" and form.is_valid():
        if chosen is None:
            form.add_error("resident", _("No resident with this in your area: search again."))
        else:
            try:
                kp = services.keyperson_register(
                    actor=request.user,
                    resident=chosen,
                    category=form.chosen_category(),
                    risk_colour=form.cleaned_data["risk_colour"],
                    reason=form.cleaned_data["reason"],
                    since=form.cleaned_data["since"],
                    until=form.cleaned_data["until"],
                )
            except ApplicationError as exc:
                _put_error(form, exc)
            else:
                messages.success(
                    request, _("Registered. The first visit is due %(date)s.") % {"date": kp.next_visit_due}
                )
                return redirect("keypersons:detail", pk=kp.pk)
    residents = selectors.resident_options_for(request.user, q)
    if chosen is not None and chosen.pk not in {r.pk for r in residents}:
        residents.insert(0, chosen)
    context = {"form": form, "q": q, "residents": residents, "chosen": chosen}
    return render(request, "keypersons/register.html", context, status=400 if form.errors else 200)


# --- Visit cadences


@login_required
@require_http_methods(["GET", "POST"])
def cadence_settings(request):
    _need_anywhere(request.user, services.CONFIGURE)
    places = selectors.cadence_places_for(request.user)
    raw = request.POST.get("territory") or request.GET.get("territory", "")
    if raw.isdigit():
        node = access.get_for(request.user, Territory.objects.all(), services.VIEW, field="path", pk=int(raw))
    elif places:
        node = places[0]
    else:
        raise PermissionDenied
    can_set = access.has_perm_at(request.user, services.CONFIGURE, node.path)
    shown = selectors.cadence_for(request.user, node)
    initial = {f"{c}_days": shown[c]["own"] for c in COLOUR_ORDER}
    form = CadenceForm(request.POST or None, inherited=shown, initial=initial)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                changes = services.visit_cadence_set(actor=request.user, territory=node, days=form.days())
            except ApplicationError as exc:
                _put_error(form, exc)
            else:
                messages.success(
                    request,
                    _("Cadence saved.") if changes else _("Nothing changed."),
                )
                return redirect(f"{request.path}?territory={node.pk}")
    context = {
        "node": node,
        "places": places,
        "shown": [(c, RiskColour(c).label, shown[c]) for c in COLOUR_ORDER],
        "form": form,
        "can_set": can_set,
    }
    return render(request, "keypersons/cadence.html", context, status=400 if form.errors else 200)
