"""A print's page (its progress, then its download) and its file. Thin: the service decides."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from civicgrid.prints import services
from civicgrid.prints.models import PrintStatus


@login_required
@require_GET
def print_page(request, pk: int):
    made = services.print_get_for(request.user, pk)
    kind = services.kind_of(made)
    context = {
        "print": made,
        "title": kind.title,
        "back": kind.back(made.params),
        "counted": kind.counted(made.rows),
        "waiting": made.status in (PrintStatus.QUEUED, PrintStatus.RUNNING),
    }
    if request.htmx:
        return render(request, "prints/_status.html", context)
    return render(request, "prints/print.html", context)


@login_required
@require_GET
def print_file(request, pk: int):
    made = services.print_file_for(request.user, pk)
    response = HttpResponse(bytes(made.pdf), content_type="application/pdf")
    name = services.kind_of(made).filename(made)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
