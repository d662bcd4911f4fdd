"""Registry pages. Thin: parse input, check access, call one service or selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.core.registry import object_links
from civicgrid.registry import exporting, import_files, importing, selectors, services
from civicgrid.registry.forms import (
    HouseholdForm,
    ImportForm,
    LeaveForm,
    NewHouseholdForm,
    NewResidentForm,
    ResidentForm,
    RevealForm,
)
from civicgrid.registry.models import (
    HouseholdStatus,
    ImportJob,
    ImportStatus,
    ResidenceType,
    ResidentStatus,
)
from civicgrid.territory.models import Territory


def _filters(request) -> selectors.ListFilters:
    territory = None
    raw = request.GET.get("territory", "")
    if raw.isdigit():
        territory = access.get_for(
            request.user, Territory.objects.all(), "registry.view", field="path", pk=int(raw)
        )
    return selectors.ListFilters(
        q=request.GET.get("q", "")[:60],
        territory=territory,
        status=request.GET.get("status", ""),
        residence_type=request.GET.get("residence_type", ""),
        tag=request.GET.get("tag", ""),
    )


def _need_anywhere(user, perm: str) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


def _list_page(request, *, perm: str, select, template: str, rows_template: str, extra: dict):
    _need_anywhere(request.user, perm)
    filters = _filters(request)
    page = select(request.user, filters, cursor=request.GET.get("after"))
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "page": page,
        "filters": filters,
        "query": query.urlencode(),
        "places": selectors.territory_options_for(request.user),
        "tags": selectors.tag_filter_options_for(request.user),
        **extra,
    }
    if request.htmx and request.GET.get("after"):
        return render(request, rows_template, context)
    return render(request, template, context)


@login_required
def household_list(request):
    return _list_page(
        request,
        perm="registry.view",
        select=selectors.household_list_for,
        template="registry/household_list.html",
        rows_template="registry/_household_rows.html",
        extra={
            "statuses": HouseholdStatus.choices,
            "can_register": access.has_anywhere(request.user, "registry.edit"),
        },
    )


@login_required
def resident_list(request):
    return _list_page(
        request,
        perm="registry.view",
        select=selectors.resident_list_for,
        template="registry/resident_list.html",
        rows_template="registry/_resident_rows.html",
        extra={
            "statuses": ResidentStatus.choices,
            "residence_types": ResidenceType.choices,
            "can_export": access.has_anywhere(request.user, "registry.export"),
        },
    )


@login_required
def household_detail(request, pk: int):
    household = selectors.household_get_for(request.user, pk)
    context = selectors.household_detail_for(request.user, household)
    path = household.territory_path
    for member in context["members"]:
        # One form per resident, each with its own ids, so every label names its own field.
        member.leave_form = LeaveForm(initial={"on": clock.today()}, auto_id=f"id_leave{member.pk}_%s")
    context.update(
        {
            "can_edit": access.has_perm_at(request.user, "registry.edit", path),
            "can_reveal": access.has_perm_at(request.user, "registry.reveal", path),
            "reveal_form": RevealForm(),
            # What other modules offer for this household (its visits, logging one), where allowed.
            "links": [
                {"label": link.label, "url": link.url(household), "primary": link.primary}
                for link in object_links("household")
                if access.has_perm_at(request.user, link.permission, path)
            ],
        }
    )
    return render(request, "registry/household_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def household_new(request):
    _need_anywhere(request.user, "registry.edit")
    form = NewHouseholdForm(
        request.POST or None,
        units=selectors.unit_options_for(request.user),
        initial={"residence_type": "registered"},
    )
    if request.method == "POST" and form.is_valid():
        unit = access.get_for(
            request.user, Territory.objects.all(), "registry.edit", field="path", pk=form.cleaned_data["unit"]
        )
        try:
            household = services.household_register(
                actor=request.user,
                unit=unit,
                address=form.cleaned_data["address"],
                house_code=form.cleaned_data["house_code"],
                head=form.head_data(),
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Registered household %(n)s.") % {"n": household.number})
            return redirect("registry:household_detail", pk=household.pk)
    return render(request, "registry/form_page.html", {"form": form, "title": _("Register a household")})


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request, pk: int):
    household = selectors.household_get_for(request.user, pk, "registry.edit")
    members = list(household.members.all())
    form = HouseholdForm(
        request.POST or None,
        members=members,
        initial={"status": household.status, "head": household.head_id, "notes": household.notes},
    )
    if request.method == "POST" and form.is_valid():
        head = next((m for m in members if m.pk == form.cleaned_data["head"]), None)
        try:
            services.household_update(
                actor=request.user,
                household=household,
                notes=form.cleaned_data["notes"],
                head=head,
                status=form.cleaned_data["status"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/form_page.html",
        {
            "form": form,
            "title": _("Edit household %(n)s") % {"n": household.number},
            "back": household,
            "ancestors": selectors.territory_ancestors(household.territory_path),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_edit(request, pk: int):
    resident = selectors.resident_get_for(request.user, pk, "registry.edit")
    initial = {f: getattr(resident, f) for f in services.RESIDENT_FIELDS}
    form = ResidentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_update(
                actor=request.user, resident=resident, data=form.changed_data_for_service()
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": form.cleaned_data["name"]})
            return redirect("registry:household_detail", pk=resident.household_id)
    return render(
        request,
        "registry/form_page.html",
        {
            "form": form,
            "title": _("Edit %(name)s") % {"name": resident.name},
            "back": resident.household,
            "masked": {"id_number": resident.id_number, "phone": resident.phone},
            "ancestors": selectors.territory_ancestors(resident.territory_path),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def resident_add(request, pk: int):
    household = selectors.household_get_for(request.user, pk, "registry.edit")
    form = NewResidentForm(
        request.POST or None, initial={"relation": "child", "residence_type": "registered"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.resident_add(
                actor=request.user, household=household, data=form.changed_data_for_service()
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": form.cleaned_data["name"]})
            return redirect("registry:household_detail", pk=household.pk)
    return render(
        request,
        "registry/form_page.html",
        {
            "form": form,
            "title": _("Add a member to household %(n)s") % {"n": household.number},
            "back": household,
            "ancestors": selectors.territory_ancestors(household.territory_path),
        },
    )


@login_required
@require_POST
def resident_reveal(request, pk: int):
    resident = selectors.resident_get_for(request.user, pk)
    form = RevealForm(request.POST)
    value, error = None, None
    if form.is_valid():
        try:
            value = access.reveal(
                request.user, resident, form.cleaned_data["field"], form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            error = exc.message
    else:
        error = _("Say why you need to see this (at least a few words).")
    return render(
        request,
        "registry/_reveal.html",
        {"resident": resident, "value": value, "error": error, "field": form.data.get("field", "")},
        status=200 if value is not None else 400,
    )


@login_required
@require_POST
def resident_leave(request, pk: int):
    resident = selectors.resident_get_for(request.user, pk, "registry.edit")
    form = LeaveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date the resident left."))
    else:
        try:
            services.resident_move_out(
                actor=request.user,
                resident=resident,
                on=form.cleaned_data["on"],
                note=form.cleaned_data["note"],
                deceased=form.cleaned_data["kind"] == "deceased",
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Recorded that %(name)s left.") % {"name": resident.name})
    return redirect("registry:household_detail", pk=resident.household_id)


@login_required
def resident_export(request):
    _need_anywhere(request.user, "registry.export")
    filters = _filters(request)
    data, count = exporting.resident_workbook(request.user, filters)
    audit_record(
        actor=request.user,
        action="registry.export",
        obj=request.user,
        territory_path=filters.territory.path if filters.territory else "",
        summary={"rows": count, "q": filters.q, "tag": filters.tag, "status": filters.status},
    )
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="residents-{clock.today():%Y%m%d}.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_list(request):
    _need_anywhere(request.user, "registry.import")
    form = ImportForm(
        request.POST or None, request.FILES or None, places=selectors.import_places_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        territory = access.get_for(
            request.user,
            Territory.objects.all(),
            "registry.import",
            field="path",
            pk=form.cleaned_data["territory"],
        )
        try:
            job = importing.import_upload(
                actor=request.user,
                territory=territory,
                upload=form.cleaned_data["file"],
                all_or_nothing=form.cleaned_data["all_or_nothing"],
            )
        except ApplicationError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect("registry:import_detail", pk=job.pk)
    jobs = access.scope(request.user, ImportJob.objects.select_related("created_by"), "registry.import")[:20]
    return render(request, "registry/import_list.html", {"form": form, "jobs": jobs})


@login_required
def import_detail(request, pk: int):
    job = access.get_for(request.user, ImportJob.objects.all(), "registry.import", pk=pk)
    context = {
        "job": job,
        "progress": importing.progress_of(job),
        "running": job.status in (ImportStatus.UPLOADED, ImportStatus.CHECKING, ImportStatus.IMPORTING),
        "errors": [
            {**e, "column": services.field_label(e["field"]) if e["field"] else ""} for e in job.errors[:500]
        ],
    }
    if request.htmx:
        return render(request, "registry/_import_status.html", context)
    return render(request, "registry/import_detail.html", context)


@login_required
@require_POST
def import_confirm(request, pk: int):
    job = access.get_for(request.user, ImportJob.objects.all(), "registry.import", pk=pk)
    try:
        importing.import_confirm(
            actor=request.user, job=job, all_or_nothing=request.POST.get("mode") != "valid_only"
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("registry:import_detail", pk=job.pk)


@login_required
def import_template(request):
    _need_anywhere(request.user, "registry.import")
    body = (
        ",".join(import_files.TEMPLATE_HEADER)
        + "\n"
        + "H000000000,,户长,张三,男,1949-12-31,汉族,11010519491231002X,13800000000,户籍,,\n"
    )
    response = HttpResponse(("\ufeff" + body).encode("utf-8"), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="residents-template.csv"'
    return response
