"""The resident portal: no login. Thin: parse, rate-limit, call one selector or service, render."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from civicgrid.cases.services import case_rate
from civicgrid.core.errors import ApplicationError
from civicgrid.portal import ratelimit, selectors, services
from civicgrid.portal.forms import RatingForm, ReportForm, TrackForm


def _too_many(request):
    return render(request, "portal/too_many.html", status=429)


def _unknown_house(request):
    return render(request, "portal/house_unknown.html", status=404)


@require_safe
def home(request):
    return render(request, "portal/home.html", {"track_form": TrackForm()})


@require_safe
def house(request, house_code: str):
    found = selectors.house_public(house_code)
    if found is None:
        return _unknown_house(request)
    return render(request, "portal/house.html", {"house": found, "track_form": TrackForm()})


@never_cache
@require_http_methods(["GET", "POST"])
def report(request, house_code: str | None = None):
    found = None
    if house_code is not None:
        found = selectors.house_public(house_code)
        if found is None:
            return _unknown_house(request)
    if request.method == "POST":
        if ratelimit.exceeded(request, "report"):
            return _too_many(request)
        form = ReportForm(request.POST, request.FILES, house=found)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case = services.portal_report(
                    category=data["category"],
                    description=data["description"],
                    idempotency_key=data["idempotency_key"],
                    house=found,
                    territory=data.get("territory"),
                    lon=data.get("lon"),
                    lat=data.get("lat"),
                    name=data["name"],
                    phone=data["phone"],
                    anonymous=data["anonymous"],
                    photo=data.get("photo"),
                )
            except ApplicationError as exc:
                field = {"location": "community", "territory": "community"}.get(exc.field, exc.field)
                form.add_error(field if field in form.fields else None, exc.message)
            else:
                ratelimit.hit(request, "report")
                return redirect("portal:thanks", code=case.code)
    else:
        form = ReportForm(house=found, initial={"idempotency_key": str(uuid.uuid4())})
    return render(request, "portal/report.html", {"form": form, "house": found})


@require_safe
def grids(request):
    """The grid choices of one community, for the place picker (htmx swaps the select)."""
    form = ReportForm(data={"community": request.GET.get("community", "")})
    return render(request, "portal/_grid_field.html", {"field": form["grid"]})


@require_safe
def thanks(request, code: str):
    case = selectors.case_public(code)
    if case is None:
        raise Http404
    return render(request, "portal/thanks.html", {"case": case})


@require_safe
def track(request):
    form = TrackForm(request.GET or None)
    if form.is_bound and form.is_valid():
        return _track(request, form.cleaned_data["code"], form)
    return render(request, "portal/track.html", {"track_form": form})


@require_safe
def track_case(request, code: str):
    return _track(request, code, TrackForm(initial={"code": code}))


def _track(request, code: str, form):
    if ratelimit.exceeded(request, "lookup"):
        return _too_many(request)
    case = selectors.case_public(code)
    if case is None and selectors.registration_public(code) is not None:
        return redirect("portal:registration", code=code)  # a self-registration's code, typed in
    if case is None:
        # Counting only misses slows down guessing codes without limiting residents who follow theirs.
        ratelimit.hit(request, "lookup")
        return render(request, "portal/track.html", {"track_form": form, "unknown": code}, status=404)
    if request.resolver_match.url_name != "track_case" or code != case.code:
        return redirect("portal:track_case", code=case.code)  # one address per case, easy to keep
    context = selectors.case_public_view(case)
    context["rating_form"] = RatingForm()
    return render(request, "portal/track_case.html", context)


@require_POST
def rate(request, code: str):
    case = selectors.case_public(code)
    if case is None:
        raise Http404
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            case_rate(
                actor=None,
                case=case,
                rating=form.cleaned_data["rating"],
                comment=form.cleaned_data["comment"],
                by_reporter=True,
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Thank you: your rating was recorded."))
        return redirect("portal:track_case", code=case.code)
    context = selectors.case_public_view(case)
    context["rating_form"] = form
    return render(request, "portal/track_case.html", context, status=400)


@require_safe
def photo(request, code: str, pk: int):
    case = selectors.case_public(code)
    found = selectors.photo_public(case, pk) if case is not None else None
    if found is None:
        raise Http404
    image = found.content_type in ("image/jpeg", "image/png")
    response = FileResponse(
        found.file.open("rb"),
        content_type=found.content_type if image else "application/octet-stream",
        as_attachment=not image,
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
