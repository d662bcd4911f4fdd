"""Pages of the platform shell: home, the territory tree, the audit log. Thin: parse, check, call, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid import access
from civicgrid.accounts.roles import Role
from civicgrid.core import registry
from civicgrid.core.errors import ApplicationError
from civicgrid.territory import services as territory_services
from civicgrid.territory.models import PARENT_LEVEL, Level
from civicgrid.web import selectors
from civicgrid.web.forms import TerritoryAddForm, TerritoryEditForm, TerritoryMoveForm

CHILD_LEVEL = {parent: child for child, parent in PARENT_LEVEL.items() if parent}


@require_GET
def healthz(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
def home(request):
    roots = selectors.territory_roots_for(request.user)
    places = [
        {
            "node": node,
            "counts": selectors.counts_under(request.user, node),
            "roles": sorted({Role(g.role).label for g in access.grants(request.user) if g.path == node.path}),
        }
        for node in roots[:12]
    ]
    widgets = [w for w in registry.widgets() if access.has_anywhere(request.user, w.permission)]
    return render(request, "web/home.html", {"places": places, "widgets": widgets})


@login_required
def today(request):
    """A worker's day on one phone screen: each module's section, for the permissions the user holds."""
    sections = []
    for section in registry.today_sections():
        if not access.has_anywhere(request.user, section.permission):
            continue
        context = section.context(request.user)
        if context is not None:
            sections.append({"template": section.template, "context": context})
    # One page render: the sections are included into it, so the shell (menu, badges) is built once.
    return render(request, "web/today.html", {"sections": sections})


@login_required
def territory_tree(request):
    q = request.GET.get("q", "")
    found = selectors.territory_search_for(request.user, q) if q else None
    return render(
        request,
        "web/territory_tree.html",
        {"roots": selectors.territory_roots_for(request.user), "q": q, "found": found},
    )


@login_required
def territory_children(request, pk: int):
    node = selectors.territory_get_for(request.user, pk)
    return render(
        request,
        "web/_territory_children.html",
        {"children": selectors.territory_children_for(request.user, node)},
    )


@login_required
def territory_detail(request, pk: int):
    node = selectors.territory_get_for(request.user, pk)
    can_manage = access.has_perm_at(request.user, "territory.manage", node.path)
    return render(
        request,
        "web/territory_detail.html",
        {
            "node": node,
            "ancestors": selectors.territory_ancestors_for(request.user, node),
            "children": selectors.territory_children_for(request.user, node),
            "counts": selectors.counts_under(request.user, node),
            "can_manage": can_manage,
            "child_level": CHILD_LEVEL.get(Level(node.level)),
            "can_move": can_manage and node.level in (Level.GRID, Level.UNIT) and node.is_active,
        },
    )


def _form_errors(form, exc: ApplicationError) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, exc.message)


@login_required
@require_http_methods(["GET", "POST"])
def territory_edit(request, pk: int):
    node = selectors.territory_get_for(request.user, pk, "territory.manage")
    import json

    initial = {
        "name": node.name,
        "kind": node.kind,
        "boundary": json.dumps(node.boundary, ensure_ascii=False) if node.boundary else "",
    }
    form = TerritoryEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            territory_services.territory_update(
                actor=request.user,
                node=node,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"] or "",
                boundary=form.cleaned_data["boundary"],
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("territory_detail", pk=node.pk)
    return render(
        request,
        "web/territory_form.html",
        {"node": node, "form": form, "title": _("Edit %(name)s") % {"name": node.name}},
    )


@login_required
@require_http_methods(["GET", "POST"])
def territory_add(request, pk: int):
    parent = selectors.territory_get_for(request.user, pk, "territory.manage")
    level = CHILD_LEVEL.get(Level(parent.level))
    if level is None:
        messages.error(request, _("Nothing can be added under a unit; houses are added in the registry."))
        return redirect("territory_detail", pk=parent.pk)
    form = TerritoryAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            node = territory_services.territory_create(
                actor=request.user,
                level=level,
                name=form.cleaned_data["name"],
                code=form.cleaned_data["code"],
                parent=parent,
                kind=form.cleaned_data["kind"] or "",
            )
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": node.name})
            return redirect("territory_detail", pk=node.pk)
    return render(
        request,
        "web/territory_form.html",
        {
            "node": parent,
            "form": form,
            "title": _("Add a %(level)s under %(name)s") % {"level": level.label, "name": parent.name},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def territory_move(request, pk: int):
    node = selectors.territory_get_for(request.user, pk, "territory.manage")
    targets = selectors.territory_move_targets_for(request.user, node)
    form = TerritoryMoveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        new_parent = selectors.territory_get_for(
            request.user, form.cleaned_data["new_parent"], "territory.manage"
        )
        try:
            territory_services.territory_move(actor=request.user, node=node, new_parent=new_parent)
        except ApplicationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Moved %(name)s under %(parent)s.") % {"name": node.name, "parent": new_parent.name},
            )
            return redirect("territory_detail", pk=node.pk)
    return render(
        request,
        "web/territory_form.html",
        {
            "node": node,
            "form": form,
            "title": _("Move %(name)s") % {"name": node.name},
        },
    )


@login_required
@require_POST
def territory_retire(request, pk: int):
    node = selectors.territory_get_for(request.user, pk, "territory.manage")
    try:
        territory_services.territory_retire(actor=request.user, node=node)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Retired %(name)s.") % {"name": node.name})
    return redirect("territory_detail", pk=node.pk)


@login_required
def audit_list(request):
    if not access.has_anywhere(request.user, "audit.view"):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    page = selectors.audit_list_for(
        request.user,
        q=request.GET.get("q", ""),
        action=request.GET.get("action", ""),
        cursor=request.GET.get("after"),
    )
    template = "web/_audit_rows.html" if request.htmx and request.GET.get("after") else "web/audit_list.html"
    return render(
        request,
        template,
        {"page": page, "q": request.GET.get("q", ""), "action": request.GET.get("action", "")},
    )


def ping(request):
    return HttpResponse("ok")
