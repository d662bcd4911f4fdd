"""The review queue: self-registrations from door plates and corrections proposed on visits.

Thin like the other registry pages: parse, check access, call one selector or service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid import access
from civicgrid.core.errors import ApplicationError
from civicgrid.registry import selectors, services
from civicgrid.registry.forms import ApproveForm, RejectForm
from civicgrid.registry.models import ReviewStatus
from civicgrid.territory.models import Territory

KINDS = ("registrations", "corrections")


def _territory(request) -> Territory | None:
    raw = request.GET.get("territory", "")
    if not raw.isdigit():
        return None
    return access.get_for(request.user, Territory.objects.all(), selectors.REVIEW, field="path", pk=int(raw))


@login_required
def review(request):
    if not access.has_anywhere(request.user, selectors.REVIEW):
        raise PermissionDenied
    kind = request.GET.get("kind") if request.GET.get("kind") in KINDS else KINDS[0]
    territory = _territory(request)
    select = (
        selectors.self_registration_queue_for if kind == "registrations" else selectors.correction_queue_for
    )
    page = select(request.user, territory=territory, cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "kind": kind,
        "page": page,
        "query": query.urlencode(),
        "territory": territory,
        "counts": selectors.waiting_counts_for(request.user),
        "places": selectors.territory_options_for(request.user, selectors.REVIEW),
    }
    rows = f"registry/_review_{kind}.html"
    if request.htmx and request.GET.get("after"):
        return render(request, rows, context)
    return render(request, "registry/review.html", {**context, "rows_template": rows})


def _registration_page(request, registration, *, approve_form=None, reject_form=None, status=200):
    context = selectors.self_registration_review_for(request.user, registration)
    context.update(
        {
            "approve_form": approve_form or ApproveForm(households=context["households"]),
            "reject_form": reject_form or RejectForm(),
            "waiting": registration.status == ReviewStatus.WAITING,
        }
    )
    return render(request, "registry/review_registration.html", context, status=status)


@login_required
def registration_detail(request, pk: int):
    return _registration_page(request, selectors.self_registration_get_for(request.user, pk))


def _decided(request, message: str, kind: str):
    messages.success(request, message)
    return redirect(f"{reverse('registry:review')}?kind={kind}")


@login_required
@require_POST
def registration_approve(request, pk: int):
    registration = selectors.self_registration_get_for(request.user, pk)
    access.check(request.user, "registry.edit", registration.territory_path)
    households = selectors.self_registration_review_for(request.user, registration)["households"]
    form = ApproveForm(request.POST, households=households)
    if form.is_valid():
        try:
            services.self_registration_approve(
                actor=request.user, registration=registration, household=form.chosen_household()
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return _decided(request, _("Approved %(code)s.") % {"code": registration.code}, "registrations")
    return _registration_page(request, registration, approve_form=form, status=400)


@login_required
@require_POST
def registration_merge(request, pk: int):
    registration = selectors.self_registration_get_for(request.user, pk)
    access.check(request.user, "registry.edit", registration.territory_path)
    if not selectors.self_registration_review_for(request.user, registration)["can_merge"]:
        messages.error(
            request, _("The resident matched lives outside your area: ask the community to merge.")
        )
        return redirect("registry:review_registration", pk=pk)
    try:
        services.self_registration_merge(actor=request.user, registration=registration)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("registry:review_registration", pk=pk)
    return _decided(request, _("Merged %(code)s.") % {"code": registration.code}, "registrations")


@login_required
@require_POST
def registration_reject(request, pk: int):
    registration = selectors.self_registration_get_for(request.user, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.self_registration_reject(
                actor=request.user, registration=registration, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            return _decided(request, _("Rejected %(code)s.") % {"code": registration.code}, "registrations")
    return _registration_page(request, registration, reject_form=form, status=400)


def _correction_page(request, correction, *, reject_form=None, status=200):
    context = {
        "correction": correction,
        "changes": selectors.correction_changes(correction),
        "reject_form": reject_form or RejectForm(),
        "waiting": correction.status == ReviewStatus.WAITING,
        "ancestors": selectors.territory_ancestors(correction.territory_path),
    }
    return render(request, "registry/review_correction.html", context, status=status)


@login_required
def correction_detail(request, pk: int):
    return _correction_page(request, selectors.correction_get_for(request.user, pk))


@login_required
@require_POST
def correction_approve(request, pk: int):
    correction = selectors.correction_get_for(request.user, pk)
    access.check(request.user, "registry.edit", correction.territory_path)
    try:
        services.correction_approve(actor=request.user, correction=correction)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("registry:review_correction", pk=pk)
    return _decided(request, _("Correction applied."), "corrections")


@login_required
@require_POST
def correction_reject(request, pk: int):
    correction = selectors.correction_get_for(request.user, pk)
    form = RejectForm(request.POST)
    if form.is_valid():
        try:
            services.correction_reject(
                actor=request.user, correction=correction, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            form.add_error("reason" if exc.field == "reason" else None, exc.message)
        else:
            return _decided(request, _("Correction rejected."), "corrections")
    return _correction_page(request, correction, reject_form=form, status=400)
