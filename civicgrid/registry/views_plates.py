"""Door plate sheets: pick a grid or a unit, get a printable PDF."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render

from civicgrid import access
from civicgrid.core.errors import ApplicationError
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


@login_required
def plate_sheet_pdf(request, pk: int):
    territory = access.get_for(request.user, Territory.objects.all(), plates.PRINT, field="path", pk=pk)
    try:
        data, _count = plates.plates_pdf(request.user, territory, base_url=plates.public_base_url(request))
    except ApplicationError as exc:
        return _page(request, chosen=territory, error=exc.message, status=400)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="door-plates-{territory.code}.pdf"'
    return response


@login_required
def plates_pick(request):
    """The picker's GET form sends the place as a parameter; the sheet has one address per place."""
    raw = request.GET.get("territory", "")
    if not raw.isdigit():
        return plate_sheets(request)
    return redirect("registry:plate_sheet_pdf", pk=int(raw))
