"""The working-day calendar: Monday to Friday, minus public holidays, plus make-up working days (调休).

Exceptions live in `CalendarDay` rows. Every new case asks for a deadline, so each process keeps the
rows of the ranges it was asked about (core/refcache.py): an edit made in one process is seen here at
once and by every other process when it commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from types import MappingProxyType

from django.utils import timezone

from civicgrid.core import refcache


def _exceptions(first: dt.date, last: dt.date) -> Mapping[dt.date, str]:
    from civicgrid.core.models import CalendarDay

    def build() -> Mapping[dt.date, str]:
        rows = CalendarDay.objects.filter(date__gte=first, date__lte=last).values_list("date", "kind")
        return MappingProxyType(dict(rows))

    return refcache.remember("calendar-exceptions", (first, last), build)


def _working(day: dt.date, exceptions: Mapping[dt.date, str]) -> bool:
    kind = exceptions.get(day)
    if kind == "holiday":
        return False
    if kind == "workday":
        return True
    return day.weekday() < 5


def is_working_day(day: dt.date) -> bool:
    return _working(day, _exceptions(day, day))


def add_working_days(start: dt.datetime, days: int) -> dt.datetime:
    """The end (23:59:59 local time) of the `days`-th working day after the day of `start`."""
    local = timezone.localtime(start)
    horizon = days * 3 + 30  # generous: the longest holiday runs (Spring Festival) are about a week
    exceptions = _exceptions(local.date(), local.date() + dt.timedelta(days=horizon))
    day, counted = local.date(), 0
    while counted < days:
        day += dt.timedelta(days=1)
        counted += _working(day, exceptions)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=local.tzinfo)
