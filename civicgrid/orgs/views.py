from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render

from civicgrid import access
from civicgrid.orgs import selectors
from civicgrid.orgs.models import OrgKind


@login_required
def organisation_list(request):
    if not access.has_anywhere(request.user, "orgs.view"):
        raise PermissionDenied
    kind = request.GET.get("kind", "")
    if kind not in OrgKind.values:
        kind = ""
    orgs = selectors.organisation_list_for(request.user, kind=kind)[:300]
    return render(
        request, "orgs/organisation_list.html", {"orgs": orgs, "kind": kind, "kinds": OrgKind.choices}
    )
