"""Leaders' pages: visit rules, coverage with the households not visited, and the needs found on visits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid import access
from civicgrid.core.errors import ApplicationError
from civicgrid.registry.selectors import territory_ancestors
from civicgrid.visits import coverage, selectors, services
from civicgrid.visits.forms import NeedMeetForm, RuleEditForm, RuleForm
from civicgrid.visits.models import NeedStatus, RuleTarget
from civicgrid.visits.views import _place, need_anywhere, put_error

MANAGE = "visits.manage_rules"


# --- Rules


def _rules_page(request, node, *, form=None, edit_forms=None, status: int = 200):
    places = selectors.rule_places_for(request.user)
    can_manage = bool(places)
    if form is None and can_manage:
        form = RuleForm(
            initial={"territory": node.pk if node.pk in {p.pk for p in places} else places[0].pk},
            places=places,
            tags=selectors.rule_tags_for(request.user),
        )
    found = selectors.rules_for(request.user, node)
    edit_forms = edit_forms or {}
    for rule in [*found["applying"], *found["below"]]:
        rule.form = edit_forms.get(rule.pk) or RuleEditForm(
            initial={"interval_days": rule.interval_days, "starts_on": rule.starts_on, "active": rule.active},
            prefix=f"rule{rule.pk}",
        )
    context = {
        "node": node,
        "ancestors": territory_ancestors(node.path),
        "children": node.children.filter(retired_at__isnull=True).order_by("path"),
        "form": form,
        "open_rule": next(iter(edit_forms), None),
        **found,
    }
    return render(request, "visits/rules.html", context, status=status)


@login_required
def rule_list(request):
    need_anywhere(request.user, selectors.VIEW)
    node = _place(request, selectors.VIEW) or selectors.default_place_for(request.user, selectors.VIEW)
    return _rules_page(request, node)


@login_required
@require_POST
def rule_create(request):
    need_anywhere(request.user, MANAGE)
    places = selectors.rule_places_for(request.user)
    form = RuleForm(request.POST, places=places, tags=selectors.rule_tags_for(request.user))
    node = None
    if form.is_valid():
        data = form.cleaned_data
        node = form.places[data["territory"]]
        tag = form.tags.get(data["tag"]) if data["target"] == RuleTarget.TAG else None
        try:
            services.rule_create(
                actor=request.user,
                territory=node,
                target=data["target"],
                tag=tag,
                interval_days=data["interval_days"],
                starts_on=data["starts_on"],
                active=data["active"],
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Rule saved. Due lists follow it within a minute."))
            return redirect(f"{reverse('visits:rule_list')}?territory={node.pk}")
    node = node or selectors.default_place_for(request.user, selectors.VIEW)
    return _rules_page(request, node, form=form, status=400)


@login_required
@require_POST
def rule_edit(request, pk: int):
    rule = selectors.rule_get_for(request.user, pk)
    form = RuleEditForm(request.POST, prefix=f"rule{rule.pk}")
    if form.is_valid():
        try:
            services.rule_update(actor=request.user, rule=rule, **form.cleaned_data)
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            messages.success(request, _("Rule saved. Due lists follow it within a minute."))
            return redirect(f"{reverse('visits:rule_list')}?territory={rule.territory_id}")
    return _rules_page(request, rule.territory, edit_forms={rule.pk: form}, status=400)


# --- Coverage


def _coverage_node(request):
    return _place(request, coverage.PERM) or selectors.default_place_for(request.user, coverage.PERM)


@login_required
def coverage_page(request):
    need_anywhere(request.user, coverage.PERM)
    node = _coverage_node(request)
    which = "round" if request.GET.get("which") == "round" else "never"
    context = {
        "cover": coverage.coverage_for(request.user, node),
        "ancestors": territory_ancestors(node.path),
        "which": which,
        "page": coverage.households_not_visited_for(request.user, node, since_round=which == "round"),
        "query": f"territory={node.pk}&which={which}",
    }
    return render(request, "visits/coverage.html", context)


@login_required
def not_visited_rows(request):
    need_anywhere(request.user, coverage.PERM)
    node = _coverage_node(request)
    which = "round" if request.GET.get("which") == "round" else "never"
    page = coverage.households_not_visited_for(
        request.user, node, since_round=which == "round", cursor=request.GET.get("after")
    )
    return render(
        request,
        "visits/_not_visited_rows.html",
        {"page": page, "query": f"territory={node.pk}&which={which}"},
    )


# --- Needs


@login_required
def need_list(request):
    need_anywhere(request.user, selectors.VIEW)
    status = request.GET.get("status", NeedStatus.OPEN)
    status = status if status in (*NeedStatus.values, "all") else NeedStatus.OPEN
    page = selectors.need_list_for(
        request.user,
        status="" if status == "all" else status,
        territory=_place(request, selectors.VIEW),
        cursor=request.GET.get("after"),
    )
    query = request.GET.copy()
    query.pop("after", None)
    for need in page.rows:
        need.can_meet = need.status == NeedStatus.OPEN and access.has_perm_at(
            request.user, selectors.LOG, need.territory_path
        )
    context = {"page": page, "query": query.urlencode(), "status": status, "form": NeedMeetForm()}
    if request.htmx and request.GET.get("after"):
        return render(request, "visits/_need_rows.html", context)
    context["statuses"] = [*NeedStatus.choices, ("all", _("all"))]
    return render(request, "visits/need_list.html", context)


@login_required
@require_http_methods(["POST"])
def need_meet(request, pk: int):
    need = selectors.need_get_for(request.user, pk, selectors.LOG)
    form = NeedMeetForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        services.need_meet(actor=request.user, need=need, note=note)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Marked as met."))
    return redirect("visits:need_list")
