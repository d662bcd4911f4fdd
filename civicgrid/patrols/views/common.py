"""What every patrol page shares: errors on fields, the period of an hours view, the way back."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from civicgrid import access
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import hours


def need_anywhere(user, perm: str) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


# Services name the values they refuse; some forms enter them as other fields.
FIELD_ALIASES = {"starts_at": "start", "ends_at": "end", "location": "lon"}


def put_error(form, exc: ApplicationError) -> None:
    field = FIELD_ALIASES.get(exc.field or "", exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def back(request, fallback: str):
    """Redirect to the page the tap came from (the today page, say), when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(fallback)


def refused(request, exc: ApplicationError, fallback: str):
    messages.error(request, exc.message)
    return back(request, fallback)


def period_from(request) -> tuple[hours.Period, str, str]:
    """The period asked for (a preset or two dates; this month by default), its key and any complaint."""
    preset = request.GET.get("period", "")
    if preset in hours.PRESETS:
        return hours.PRESETS[preset][1](), preset, ""
    try:
        period = hours.period_between(_date(request.GET.get("first")), _date(request.GET.get("last")))
    except ApplicationError as exc:
        return hours.this_month(), "month", exc.message
    return period, "" if request.GET.get("first") or request.GET.get("last") else "month", ""


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
