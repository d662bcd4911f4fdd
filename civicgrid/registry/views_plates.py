"""Door plate sheets: pick a grid or a unit, and the sheet is laid out in the background (prints)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from civicgrid import access
from civicgrid.core.errors import ApplicationError
from civicgrid.prints import services as print_services
from civicgrid.registry import plates
from civicgrid.territory.models import Territory


def _page(request, *, chosen=None, error: str = "", status: int = 200):
    context = {"places": plates.places_for(request.user), "chosen": chosen, "error": error}
    return render(request, "registry/plates.html", context, status=status)


@login_required
def plate_sheets(request):
    if not access.has_anywhere(request.user, plates.PRINT):
        raise PermissionDenied
    return _page(request)


def _queue(request, territory: Territory):
    params = plates.print_params(territory, plates.public_base_url(request))
    try:
        made = print_services.print_request(user=request.user, kind=plates.KIND.name, params=params)
    except ApplicationError as exc:
        return _page(request, chosen=territory, error=exc.message, status=400)
    return redirect("prints:print", pk=made.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plate_sheet(request, pk: int):
    """A place's sheet: a link opens the page that asks for it (with the place chosen); posting queues it."""
    territory = access.get_for(request.user, Territory.objects.all(), plates.PRINT, field="path", pk=pk)
    if request.method == "GET":
        return _page(request, chosen=territory)
    return _queue(request, territory)


@login_required
@require_http_methods(["GET", "POST"])
def plates_pick(request):
    """The picker posts the place; a GET (an old bookmark) opens the page with it chosen."""
    raw = (request.POST if request.method == "POST" else request.GET).get("territory", "")
    if not raw.isdigit():
        return plate_sheets(request)
    if request.method == "GET":
        return redirect("registry:plate_sheet", pk=int(raw))
    territory = access.get_for(request.user, Territory.objects.all(), plates.PRINT, field="path", pk=int(raw))
    return _queue(request, territory)
