"""Pages of the measures and the ledger. Thin: parse the query, check access, call selectors, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from civicgrid import access
from civicgrid.cases import ledger, ledger_prints, measures, selectors
from civicgrid.cases.forms import active_categories, category_options
from civicgrid.cases.measures_forms import LedgerForm, MeasuresForm, readable
from civicgrid.core import clock
from civicgrid.core.dbroute import replica_view
from civicgrid.core.errors import ApplicationError
from civicgrid.prints import services as print_services

LEDGER_PAGE = 50


def _need_anywhere(user, perm: str) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


@login_required
@require_GET
@replica_view
def overview(request):
    # No permission check up front: a node outside the user's places is 404, as everywhere.
    form = MeasuresForm(request.GET or None)
    data = readable(form)
    node = measures.overview_node_for(request.user, data.get("node"))
    if node is None:
        raise Http404
    kind = data.get("period") or "this_month"
    try:
        period = measures.period_of(kind, start=data.get("start"), end=data.get("end"))
    except ApplicationError as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        period = measures.period_of("this_month")
    user = request.user
    places = measures.three_rates_for(user, node, period, by="territory")
    context = {
        "form": form,
        "node": node,
        "period": period,
        "trail": measures.overview_trail_for(user, node),
        "places": measures.overview_places_for(user),
        "total": measures.total_of(places, node.name),
        "by_place": places,
        "by_department": measures.three_rates_for(user, node, period, by="department"),
        "by_category": measures.three_rates_for(user, node, period, by="category"),
        "by_handler": measures.three_rates_for(user, node, period, by="handler"),
        "period_kinds": measures.PERIOD_KINDS.items(),
        "can_export": access.has_anywhere(user, ledger.EXPORT),
    }
    return render(request, "cases/measures/overview.html", context)


@login_required
@require_GET
@replica_view
def widget(request):
    """The home page's card: this month's three rates at the user's first place (loaded by htmx)."""
    _need_anywhere(request.user, measures.VIEW)
    node = measures.overview_node_for(request.user, None)
    if node is None:
        return HttpResponse("")
    total = measures.measures_for(request.user, node, measures.period_of("this_month"))
    return render(request, "cases/measures/_widget_body.html", {"node": node, "total": total})


def _ledger_filters(request, form: LedgerForm) -> selectors.CaseFilters:
    return ledger_prints.filters_of(request.user, readable(form))


@login_required
@require_GET
@replica_view
def ledger_page(request):
    _need_anywhere(request.user, ledger.EXPORT)
    form = LedgerForm(request.GET or None)
    filters = _ledger_filters(request, form)
    page = selectors.case_list_for(request.user, filters, cursor=request.GET.get("after"), size=LEDGER_PAGE)
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "rows": [(case, case.reporter_name and ledger.mask_name(case.reporter_name)) for case in page.rows],
        "query": query.urlencode(),
        "places": measures.overview_places_for(request.user),
        "categories": category_options(active_categories()),
        "pdf_limit": ledger.PDF_LIMIT,
        "xlsx_limit": ledger.XLSX_LIMIT,
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "cases/measures/_ledger_rows.html", context)
    return render(request, "cases/measures/ledger.html", context)


@login_required
@require_GET
@replica_view
def ledger_xlsx(request):
    filters = _ledger_filters(request, LedgerForm(request.GET or None))
    out, _count = ledger.ledger_xlsx(request.user, filters)
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"ledger-{clock.today():%Y%m%d}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_http_methods(["GET", "POST"])
def ledger_pdf(request):
    """Ask for a print of the ledger as filtered; the worker lays it out (see cases/ledger_prints.py).

    A link (the case list's, the exports menu's) opens the page that asks; its button posts.
    """
    if request.method == "GET":
        filters = _ledger_filters(request, LedgerForm(request.GET or None))
        ledger.check_export(request.user, filters)
        context = {"query": request.GET.urlencode(), "pdf_limit": ledger.PDF_LIMIT}
        return render(request, "cases/measures/print_ask.html", context)
    query = request.POST.get("query", "")[:2000]
    made = print_services.print_request(user=request.user, kind="ledger", params={"query": query})
    return redirect("prints:print", pk=made.pk)
