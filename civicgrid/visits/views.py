"""Worker pages: the due list, logging a visit, a visit, a household's visits, and the today section.

Thin: parse, check access, one service or selector, render. Refusals from the services come back as
a message on the field they name. The visit form also answers the phone's outbox (visits.js), which
sends with `X-Visit-Client` and reads JSON back.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicgrid import access
from civicgrid.cases.selectors import categories_active
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.visits import photos, selectors, services
from civicgrid.visits.forms import VisitForm
from civicgrid.visits.models import VisitKind

CLIENT_HEADER = "X-Visit-Client"  # "now": the form, sent while online; "outbox": sent later by the phone
# The case intake names its own fields; on the visit form they are the case's.
FIELD_ALIASES = {"category": "case_category", "description": "case_description", "urgency": "case_category"}


def need_anywhere(user, perm: str) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


def put_error(form, exc: ApplicationError) -> None:
    name = FIELD_ALIASES.get(exc.field or "", exc.field)
    name = name if name in form.fields else None
    form.add_error(name, exc.message)


def _place(request, perm: str):
    raw = request.GET.get("territory", "")
    return selectors.place_get_for(request.user, int(raw), perm) if raw.isdigit() else None


# --- The due list


def _due_filters(request) -> selectors.DueFilters:
    kind = request.GET.get("kind", "")
    when = request.GET.get("when", "")
    return selectors.DueFilters(
        kind=kind if kind in VisitKind.values else "",
        when=when if when in ("overdue", "all") else "",
        territory=_place(request, selectors.LOG),
    )


@login_required
def due_list(request):
    need_anywhere(request.user, selectors.LOG)
    filters = _due_filters(request)
    page = selectors.due_list_for(request.user, filters, cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {"page": page, "filters": filters, "query": query.urlencode(), "next": request.get_full_path()}
    if request.htmx and request.GET.get("after"):
        return render(request, "visits/_due_rows.html", context)
    context.update(
        {
            "counts": selectors.due_counts_for(request.user),
            "kinds": [(k, v) for k, v in VisitKind.choices if k != VisitKind.KEY_PERSON],
            "whens": [("", _("due this week")), ("overdue", _("overdue")), ("all", _("all"))],
        }
    )
    return render(request, "visits/due_list.html", context)


def today_context(user) -> dict | None:
    """The today page's section: the first rows of my due list, overdue first."""
    page = selectors.due_list_for(user, selectors.DueFilters(), size=8)
    counts = selectors.due_counts_for(user)
    return {"dues": page.rows, "more": page.has_more, "counts": counts}


# --- Logging a visit


def _form(request, household, data=None, files=None):
    due = None
    raw_due = request.GET.get("due", "")
    if raw_due.isdigit():
        try:
            due = selectors.due_get_for(request.user, int(raw_due))
        except (Http404, PermissionDenied):
            due = None
    initial = {"household": household.pk, "next": request.GET.get("next", "")}
    if due is not None and due.household_id == household.pk:
        initial["kind"] = due.kind
    return VisitForm(
        data,
        files,
        initial=initial,
        kinds=services.kinds_for(request.user, household.territory_path),
        members=selectors.members_of(household),
        categories=categories_active(),
    )


def _safe_next(request, target: str) -> str | None:
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=False):
        return target
    return None


def _logged_message(visit) -> str:
    text = _("Visit logged: household %(number)s.") % {"number": visit.household.number}
    if visit.case_id:
        text += " " + _("Case %(code)s raised.") % {"code": visit.case.code}
    return text


@login_required
@require_http_methods(["GET", "POST"])
def visit_new(request):
    need_anywhere(request.user, selectors.LOG)
    raw = request.POST.get("household") or request.GET.get("household", "")
    if not raw.isdigit():
        return render(request, "visits/visit_start.html", {"q": request.GET.get("q", "")})
    household = selectors.household_get_for(request.user, int(raw))
    client = request.headers.get(CLIENT_HEADER, "")
    form = _form(request, household, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            checked = photos.photos_check(form.cleaned_data["photos"])
            visit = services.visit_log(
                actor=request.user,
                data=form.visit_input(household, checked),
                idempotency_key=form.cleaned_data["idempotency_key"],
            )
        except ApplicationError as exc:
            put_error(form, exc)
        else:
            url = reverse("visits:visit_detail", args=[visit.pk])
            if client != "outbox":
                messages.success(request, _logged_message(visit))
            target = _safe_next(request, form.cleaned_data["next"]) or url
            if client:
                return JsonResponse(
                    {"id": visit.pk, "url": url, "next": target, "replayed": visit.replayed},
                    status=200 if visit.replayed else 201,
                )
            return redirect(target)
    if request.method == "POST" and client == "outbox":  # the phone keeps the refusal beside the visit
        return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    # The form sent while online gets the page with its messages, which it shows in place.
    back = _safe_next(request, request.POST.get("next") or request.GET.get("next", ""))
    context = {
        "form": form,
        "household": household,
        "cancel": back or reverse("visits:due_list"),
        "status": 400 if request.method == "POST" else 200,
    }
    return render(request, "visits/visit_form.html", context, status=context["status"])


@login_required
def household_search(request):
    need_anywhere(request.user, selectors.LOG)
    q = request.GET.get("q", "")[:60]
    results = selectors.household_search_for(request.user, q)
    template = "visits/_household_results.html" if request.htmx else "visits/visit_start.html"
    return render(request, template, {"q": q, "results": results, "searched": bool(q.strip())})


# --- Reading visits


@login_required
def visit_detail(request, pk: int):
    visit = selectors.visit_get_for(request.user, pk)
    return render(request, "visits/visit_detail.html", {"visit": visit})


@login_required
def visit_photo(request, pk: int, photo_pk: int):
    visit = selectors.visit_get_for(request.user, pk)
    item = get_object_or_404(visit.photos.all(), pk=photo_pk)
    response = FileResponse(item.file.open("rb"), content_type=item.content_type)
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def visit_list(request):
    need_anywhere(request.user, selectors.VIEW)
    kind = request.GET.get("kind", "")
    filters = selectors.VisitFilters(
        kind=kind if kind in VisitKind.values else "", territory=_place(request, selectors.VIEW)
    )
    page = selectors.visit_list_for(request.user, filters, cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {"page": page, "filters": filters, "query": query.urlencode()}
    if request.htmx and request.GET.get("after"):
        return render(request, "visits/_visit_rows.html", context)
    context["kinds"] = [
        (k, v)
        for k, v in VisitKind.choices
        if k != VisitKind.KEY_PERSON or access.has_anywhere(request.user, selectors.KEY_PERSON_PERMISSION)
    ]
    return render(request, "visits/visit_list.html", context)


@login_required
def household_history(request, pk: int):
    household = selectors.household_get_for(request.user, pk, selectors.VIEW)
    history = selectors.household_history_for(request.user, household, cursor=request.GET.get("after"))
    context = {
        "household": household,
        **history,
        "page": history["page"],
        "query": "",
        "can_log": access.has_perm_at(request.user, selectors.LOG, household.territory_path),
        "today": clock.today(),
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "visits/_visit_rows.html", context)
    return render(request, "visits/household.html", context)
