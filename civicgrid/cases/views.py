"""Staff case pages: my queue, the register, a case with its timeline and actions, the intake form.

Thin: parse the input, check access, call one service or selector, render. The services decide what
is allowed; their refusals come back as a message on the field they name (ApplicationError), a 403
(PermissionDenied) or a 404 (Http404).
"""

from __future__ import annotations

import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid import access
from civicgrid.cases import attachments, selectors, services
from civicgrid.cases.forms import ACTION_FORMS, IntakeForm, category_options
from civicgrid.cases.models import Channel, ExtensionStatus, Rating, State, Tier
from civicgrid.cases.workflow import ACTIONS
from civicgrid.core import clock, refcache
from civicgrid.core.dbroute import replica_view
from civicgrid.core.errors import ApplicationError
from civicgrid.orgs.selectors import departments_serving, organisation_list_for
from civicgrid.registry import selectors as registry_selectors

# What each timeline entry says happened (the workflow table names actions in the imperative).
EVENT_LABELS = {
    "submit": gettext_lazy("Received"),
    "respond": gettext_lazy("Accepted"),
    "escalate": gettext_lazy("Escalated"),
    "return": gettext_lazy("Returned to the tier below"),
    "dispatch": gettext_lazy("Dispatched"),
    "resolve": gettext_lazy("Resolved"),
    "rate": gettext_lazy("Rated"),
    "reopen": gettext_lazy("Reopened after an unsatisfied rating"),
    "merge": gettext_lazy("Merged into another case"),
    "merged_in": gettext_lazy("A duplicate was merged in"),
    "request_extension": gettext_lazy("Asked for more time"),
    "decide_extension": gettext_lazy("Decided on more time"),
    "comment": gettext_lazy("Internal note"),
    "overdue": gettext_lazy("Time limit passed"),
}
STATE_FILTERS = [("open", gettext_lazy("open")), ("overdue", gettext_lazy("overdue")), *State.choices]
# A service names the field "location" for a point; the form's point starts with longitude.
FIELD_ALIASES = {"location": "lon"}


def _need_anywhere(user, perm: str) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


def _put_error(form, exc: ApplicationError) -> None:
    field = FIELD_ALIASES.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def time_left(due, now) -> str:
    """'3 h left' or 'overdue by 2 d': coarse on purpose, read at a glance on a phone."""
    seconds = (due - now).total_seconds()
    span = abs(seconds)
    if span < 3600:
        n, left, over = max(1, math.floor(span / 60)), _("%(n)d min left"), _("overdue by %(n)d min")
    elif span < 48 * 3600:
        n, left, over = math.floor(span / 3600), _("%(n)d h left"), _("overdue by %(n)d h")
    else:
        n, left, over = math.floor(span / 86400), _("%(n)d d left"), _("overdue by %(n)d d")
    return (left if seconds > 0 else over) % {"n": n}


# --- My queue


def _queue_context(user, *, limit: int = 100) -> dict:
    cases = selectors.case_queue_for(user, limit=limit)
    now = clock.now()
    mine = access.organisations(user, "cases.handle")
    for case in cases:
        case.time_left = time_left(case.due_at, now) if case.due_at else ""
        active = list(case.assignments.all())
        case.departments = active
        case.my_role = next(("lead" if a.lead else "co" for a in active if a.department_id in mine), "")
    return {"cases": cases, "overdue": sum(1 for c in cases if c.overdue)}


def today_context(user) -> dict:
    """The "cases due" section of the today page: the head of my queue."""
    return _queue_context(user, limit=8)


@login_required
def queue(request):
    _need_anywhere(request.user, "cases.handle")
    context = _queue_context(request.user)
    if request.htmx and request.GET.get("widget"):
        return render(request, "cases/_queue_summary.html", {**context, "cases": context["cases"][:5]})
    return render(request, "cases/queue.html", context)


# --- The register (community and town overviews)


def _filters(request) -> selectors.CaseFilters:
    territory = None
    raw = request.GET.get("territory", "")
    if raw.isdigit():
        territory = selectors.territory_for_filter(request.user, int(raw))
    department = request.GET.get("department", "")
    return selectors.CaseFilters(
        q=request.GET.get("q", "")[:60],
        territory=territory,
        state=request.GET.get("state", "")[:20],
        category=request.GET.get("category", "")[:40],
        tier=request.GET.get("tier", "")[:16],
        channel=request.GET.get("channel", "")[:24],
        department=int(department) if department.isdigit() else None,
    )


def _department_options(user) -> tuple[tuple[int, str], ...]:
    """Departments serving the places the user sees cases in (departments usually sit above them)."""
    roots = access.roots(user, "cases.view")

    def build():
        if roots is None:
            return tuple((d.pk, d.name) for d in organisation_list_for(user, kind="department")[:200])
        found = {d.pk: d for root in roots for d in departments_serving(root)}
        return tuple((d.pk, d.name) for d in sorted(found.values(), key=lambda d: (d.territory_path, d.name)))

    return refcache.remember("case-filter-departments", None if roots is None else tuple(roots), build)


def _ledger_links(query: str) -> list[tuple[str, str]]:
    links = []
    for name, label in (("cases:ledger_xlsx", _("Ledger (XLSX)")), ("cases:ledger_pdf", _("Ledger (PDF)"))):
        try:
            links.append((f"{reverse(name)}?{query}" if query else reverse(name), label))
        except NoReverseMatch:
            continue
    return links


@login_required
@replica_view
def case_list(request):
    _need_anywhere(request.user, "cases.view")
    filters = _filters(request)
    page = selectors.case_list_for(
        request.user, filters, cursor=request.GET.get("after"), only=selectors.REGISTER_COLUMNS
    )
    query = request.GET.copy()
    query.pop("after", None)
    context = {"page": page, "filters": filters, "query": query.urlencode()}
    if request.htmx and request.GET.get("after"):
        return render(request, "cases/_case_rows.html", context)
    context.update(
        {
            "places": registry_selectors.territory_choices_for(request.user, "cases.view"),
            "states": STATE_FILTERS,
            "categories": refcache.remember(
                "case-filter-categories", None, lambda: tuple(category_options(selectors.categories_active()))
            ),
            "tiers": Tier.choices,
            "channels": Channel.choices,
            "departments": _department_options(request.user),
            "ledger_links": _ledger_links(query.urlencode())
            if access.has_anywhere(request.user, "cases.export")
            else [],
            "can_intake": access.has_anywhere(request.user, "cases.intake"),
        }
    )
    return render(request, "cases/case_list.html", context)


# --- One case: details, timeline, and the forms of the actions the user may take now


def _pending_extensions(case) -> list:
    rows = getattr(case, "deadline_rows", None)
    if rows is None:
        rows = case.deadlines.prefetch_related("extensions__requested_by")
    return [e for d in rows for e in d.extensions.all() if e.status == ExtensionStatus.PENDING]


def _action_form(name: str, case, data=None, files=None):
    kwargs = {"prefix": name}
    if name == "dispatch":
        suggested = departments_serving(case.territory_path, case.category.code)
        others = [d for d in departments_serving(case.territory_path) if d not in suggested]
        kwargs.update(departments=[*suggested, *others], suggested={d.pk for d in suggested})
    elif name == "decide_extension":
        kwargs["pending"] = _pending_extensions(case)
    return ACTION_FORMS[name](data, files, **kwargs)


def _deadline_rows(case, now) -> list:
    rows = list(case.deadlines.prefetch_related("extensions__requested_by").order_by("round", "due_at", "id"))
    for d in rows:
        if d.met_at:
            d.status = "met" if d.met_at <= d.due_at else "met_late"
        elif d.breached_at:
            d.status = "breached"
        elif d.cancelled_at:
            d.status = "cancelled"
        else:
            d.status = "overdue" if d.due_at <= now else "open"
            d.time_left = time_left(d.due_at, now)
    return rows


def _is_overdue(case) -> bool:
    """Open and past a limit of its current round (a breach with no higher tier opens no new round)."""
    if not case.is_open or not case.deadline_rows:
        return False
    last = max(d.round for d in case.deadline_rows)
    return any(d.status in ("overdue", "breached") for d in case.deadline_rows if d.round == last)


def _timeline(case) -> tuple[list, list]:
    events = selectors.case_timeline(case, public_only=False)
    files = list(case.attachments.order_by("uploaded_at", "id"))
    by_event: dict[int, list] = {}
    for f in files:
        by_event.setdefault(f.event_id, []).append(f)
    ratings = dict(Rating.choices)
    tiers = dict(Tier.choices)
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)
        e.tier_label = tiers.get(e.tier, "")
        e.files = by_event.pop(e.pk, [])
        e.rating_label = ratings.get(e.data.get("rating", ""), "")
    # What no timeline entry shows (attached to the case itself) is listed on its own.
    loose = [f for group in by_event.values() for f in group]
    return events, loose


def _render_detail(request, case, *, bound: dict | None = None, status: int = 200):
    user = request.user
    now = clock.now()
    case.deadline_rows = _deadline_rows(case, now)
    allowed = selectors.allowed_actions(user, case)
    if "decide_extension" in allowed and not _pending_extensions(case):
        allowed.remove("decide_extension")
    bound = bound or {}
    actions = [
        {"name": n, "label": ACTIONS[n].label, "form": bound.get(n) or _action_form(n, case)} for n in allowed
    ]
    # A refused action the user has no form for (a stale page, a crafted post) still says why.
    refused = [
        str(err)
        for name, form in bound.items()
        if name not in allowed
        for errs in form.errors.values()
        for err in errs
    ]
    events, files = _timeline(case)
    context = {
        "case": case,
        "places": registry_selectors.territory_ancestors(case.territory_path),
        "deadlines": case.deadline_rows,
        "overdue": _is_overdue(case),
        "assignments": list(
            case.assignments.select_related("department").order_by("-active", "-lead", "assigned_at")
        ),
        "events": events,
        "files": files,
        "duplicates": list(case.merged.order_by("id")),
        "actions": actions,
        "refused": refused,
        "open_action": next(iter(bound), ""),
    }
    return render(request, "cases/case_detail.html", context, status=status)


@login_required
def case_detail(request, pk: int):
    case = selectors.case_get_for(request.user, pk)
    return _render_detail(request, case)


def _perform(user, case, name: str, form) -> str:
    """Run the service the action names; return what to tell the user."""
    data = form.cleaned_data
    if name == "respond":
        services.case_respond(actor=user, case=case, note=data["note"])
        return _("Accepted: you are handling this case.")
    if name == "escalate":
        case = services.case_escalate(actor=user, case=case, note=data["note"])
        return _("Escalated to the %(tier)s tier.") % {"tier": case.get_tier_display()}
    if name == "return":
        case = services.case_return(actor=user, case=case, note=data["note"])
        return _("Returned to the %(tier)s tier.") % {"tier": case.get_tier_display()}
    if name == "dispatch":
        chosen = form.chosen()
        services.case_dispatch(actor=user, case=case, departments=chosen, note=data["note"])
        names = pgettext("list separator", ", ").join(d.name for d in chosen)
        return _("Dispatched to %(names)s.") % {"names": names}
    if name == "resolve":
        attachments.case_resolve_with_photos(
            actor=user, case=case, note=data["note"], on_the_spot=data["on_the_spot"], photos=data["photos"]
        )
        return _("Resolved. The reporter is asked to rate it.")
    if name == "rate":
        services.case_rate(actor=user, case=case, rating=data["rating"], comment=data["comment"])
        return _("The rating is recorded.")
    if name == "merge":
        try:
            into = selectors.case_get_by_code_for(user, data["into"], "cases.handle")
        except (Http404, PermissionDenied):
            raise ApplicationError(_("No open case with this code that you can see."), field="into") from None
        services.case_merge(actor=user, case=case, into=into, note=data["note"])
        return _("Merged into %(code)s.") % {"code": into.code}
    if name == "request_extension":
        services.case_extension_request(actor=user, case=case, days=data["days"], note=data["note"])
        return _("Asked the tier above for more time.")
    if name == "decide_extension":
        approve = data["decision"] == "approve"
        services.case_extension_decide(
            actor=user, extension=form.by_pk[data["extension"]], approve=approve, note=data["note"]
        )
        return _("More time approved.") if approve else _("More time refused.")
    services.case_comment(actor=user, case=case, note=data["note"])
    return _("Note added.")


@login_required
@require_POST
def case_action(request, pk: int):
    case = selectors.case_get_for(request.user, pk)
    name = request.POST.get("action", "")
    if name not in ACTION_FORMS:
        messages.error(request, _("Unknown action."))
        return redirect("cases:case_detail", pk=case.pk)
    form = _action_form(name, case, request.POST, request.FILES)
    if form.is_valid():
        try:
            message = _perform(request.user, case, name, form)
        except ApplicationError as exc:
            _put_error(form, exc)
        else:
            messages.success(request, message)
            return redirect("cases:case_detail", pk=case.pk)
    case = selectors.case_get_for(request.user, pk)  # as it is now: the refused action changed nothing
    return _render_detail(request, case, bound={name: form}, status=400)


@login_required
def attachment(request, pk: int, attachment_pk: int):
    case = selectors.case_get_for(request.user, pk)
    item = get_object_or_404(case.attachments.all(), pk=attachment_pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


# --- Intake (hotline operators, walk-ins, WeChat, suggestion box, visits)


def _intake_places(user) -> list:
    """Communities, grids and units where the user takes in cases, in tree order."""
    places = [
        t
        for t in registry_selectors.territory_options_for(user, "cases.intake")
        if t.level in ("community", "grid")
    ]
    for t in places:
        t.label = t.name
    units = registry_selectors.unit_options_for(user, "cases.intake", limit=300)
    return sorted([*places, *units], key=lambda t: t.path)


@login_required
@require_http_methods(["GET", "POST"])
def intake(request):
    _need_anywhere(request.user, "cases.intake")
    form = IntakeForm(
        request.POST or None, categories=selectors.categories_active(), places=_intake_places(request.user)
    )
    if request.method == "POST" and (form.is_valid() or "house_code" in form.cleaned_data):
        data = form.cleaned_data
        house = None
        if data["house_code"]:  # looked up even when other fields are wrong, so every error shows at once
            try:
                house = registry_selectors.house_get_for(request.user, data["house_code"], "cases.intake")
            except (Http404, PermissionDenied):
                form.add_error("house_code", _("No house with this code in your area."))
        if not form.errors:
            try:
                case = services.case_submit(
                    actor=request.user,
                    channel=data["channel"],
                    category=data["category"],
                    urgency=data["urgency"] or None,
                    title=data["title"],
                    description=data["description"],
                    house=house,
                    territory=form.place(),
                    lon=data["lon"],
                    lat=data["lat"],
                    address=data["address"],
                    reporter_name=data["reporter_name"],
                    reporter_phone=data["reporter_phone"],
                    anonymous=data["anonymous"],
                    idempotency_key=data["idempotency_key"],
                )
            except ApplicationError as exc:
                _put_error(form, exc)
            except (Http404, PermissionDenied):
                form.add_error("lon", _("This place is outside your area."))
            else:
                return redirect(f"{reverse('cases:intake')}?made={case.pk}")
    made = None
    if request.method == "GET" and request.GET.get("made", "").isdigit():
        try:
            made = selectors.case_get_for(request.user, int(request.GET["made"]))
        except (Http404, PermissionDenied):
            made = None
    status = 400 if request.method == "POST" else 200
    return render(request, "cases/intake.html", {"form": form, "made": made}, status=status)
