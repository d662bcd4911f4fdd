"""The texts of notifications, by code. Parameters hold codes (tier, state, deadline kind) and plain
values (case code, department name, days, an ISO time); labels are looked up at read time, so the
same row reads in Chinese for one reader and in English for another.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.models import DeadlineKind, State, Tier
from civicgrid.core import registry

TEXTS = {
    "assigned.tier": _("Case %(code)s (%(category)s) is now at the %(tier)s tier: yours to handle."),
    "assigned.returned": _(
        "Case %(code)s (%(category)s) was returned to the %(tier)s tier: yours to handle."
    ),
    "assigned.department": _("Case %(code)s (%(category)s) was dispatched to %(department)s."),
    "assigned.reopened": _(
        "Case %(code)s (%(category)s) was reopened after an unsatisfied rating, at the %(tier)s tier."
    ),
    "due_soon": _("Case %(code)s (%(category)s): the time limit to %(deadline)s ends %(due)s."),
    "overdue.escalated": _(
        "Case %(code)s (%(category)s) passed its time limit at the %(from_tier)s tier and was moved up to "
        "the %(tier)s tier."
    ),
    "overdue.stuck": _(
        "Case %(code)s (%(category)s) passed its time limit at the %(tier)s tier, the highest it can reach."
    ),
    "status_changed": _("Case %(code)s (%(category)s) is now: %(state)s."),
    "resolved_please_rate": _(
        "Case %(code)s (%(category)s) was resolved. Please rate how it was handled on its tracking page."
    ),
    "extension_requested": _(
        "More time (%(days)s working days) was asked for case %(code)s (%(category)s) at the %(tier)s tier."
    ),
}

_LABELS = {"tier": Tier, "from_tier": Tier, "state": State, "deadline": DeadlineKind}


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _when(value: str) -> str:
    try:
        moment = dt.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return str(value)
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def render(notification) -> str:
    """The notification's text in the active language."""
    template = TEXTS.get(notification.text_code) or registry.message_text(notification.text_code)
    params = dict(notification.params or {})
    for key, choices in _LABELS.items():
        if key in params:
            params[key] = _label(choices, params[key])
    if "due" in params:
        params["due"] = _when(params["due"])
    params.setdefault("code", notification.case.code if notification.case_id else "")
    params.setdefault("category", str(notification.case.category) if notification.case_id else "")
    if template is None:
        return params["code"]
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return params["code"]  # a row written by an older release with other parameters
