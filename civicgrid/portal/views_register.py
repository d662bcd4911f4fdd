"""Self-registration from the door plate ("letter from home"), and its public tracking page."""

from __future__ import annotations

import uuid

from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from civicgrid.core.errors import ApplicationError
from civicgrid.portal import ratelimit, selectors, services
from civicgrid.portal.forms import TrackForm
from civicgrid.portal.forms_register import SelfRegistrationForm
from civicgrid.portal.views import _too_many, _unknown_house
from civicgrid.registry.models import SelfRegistrationKind


@never_cache
@require_http_methods(["GET", "POST"])
def register(request, house_code: str, kind: str = SelfRegistrationKind.REGISTER):
    house = selectors.house_public(house_code)
    if house is None:
        return _unknown_house(request)
    if request.method == "GET":
        form = SelfRegistrationForm(kind=kind, initial={"idempotency_key": str(uuid.uuid4())})
    elif "add_member" in request.POST:
        form = SelfRegistrationForm.grown(request.POST, kind=kind)
    else:
        if ratelimit.exceeded(request, "register"):
            return _too_many(request)
        form = SelfRegistrationForm(request.POST, kind=kind)
        if form.is_valid():
            people, where = form.people()
            try:
                registration = services.portal_register(
                    house=house,
                    kind=kind,
                    people=people,
                    note=form.cleaned_data["note"],
                    idempotency_key=form.cleaned_data["idempotency_key"],
                )
            except ApplicationError as exc:
                form.add_service_error(exc.field, exc.message, where)
            else:
                ratelimit.hit(request, "register")
                return redirect("portal:registration", code=registration.code)
    return render(request, "portal/register.html", {"form": form, "house": house, "kind": kind})


@require_safe
def registration(request, code: str):
    if ratelimit.exceeded(request, "lookup"):
        return _too_many(request)
    found = selectors.registration_public(code)
    if found is None:
        ratelimit.hit(request, "lookup")  # as for case codes: only misses count
        return render(
            request,
            "portal/track.html",
            {"track_form": TrackForm(initial={"code": code}), "unknown_registration": code},
            status=404,
        )
    if code != found.code:
        return redirect("portal:registration", code=found.code)
    return render(request, "portal/registration.html", selectors.registration_public_view(found))
