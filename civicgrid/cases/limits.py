"""Time limits. Defaults follow Beijing's published 12345 rules; every category may override them."""

from __future__ import annotations

import datetime as dt

from civicgrid.cases.models import Category, Urgency
from civicgrid.core import calendar

# Dispatch/response within 1 hour for emergencies, 2 hours for water, power, gas and extreme weather,
# 24 hours otherwise; handling in working days.
DEFAULT_LIMITS = {
    Urgency.EMERGENCY: {"respond_hours": 1, "resolve_days": 1},
    Urgency.URGENT: {"respond_hours": 2, "resolve_days": 3},
    Urgency.NORMAL: {"respond_hours": 24, "resolve_days": 15},
}
WARN_SHARE = 0.2  # warn when a fifth of the window is left
MIN_WARNING = dt.timedelta(minutes=30)


def limits_for(category: Category, urgency: str) -> dict:
    merged = dict(DEFAULT_LIMITS[Urgency(urgency)])
    merged.update((category.limits or {}).get(urgency, {}))
    return merged


def respond_due(start: dt.datetime, category: Category, urgency: str) -> dt.datetime:
    return start + dt.timedelta(hours=limits_for(category, urgency)["respond_hours"])


def resolve_due(start: dt.datetime, category: Category, urgency: str) -> dt.datetime:
    return calendar.add_working_days(start, int(limits_for(category, urgency)["resolve_days"]))


def warn_at(start: dt.datetime, due: dt.datetime) -> dt.datetime:
    window = due - start
    return due - max(window * WARN_SHARE, MIN_WARNING) if window > MIN_WARNING else start
