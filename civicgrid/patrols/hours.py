"""Hours on patrol, summed in SQL from check-in and check-out, clipped to the period asked for.

A shift from 22:00 to 02:00 gives two hours to each day (and to each month when it crosses one),
so totals per day, week or month always add up. Only closed attendances count: a member still on
patrol has no hours yet.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, DateTimeField, DurationField, ExpressionWrapper, F, QuerySet, Sum, Value
from django.db.models.functions import Greatest, Least
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError


@dataclass(frozen=True)
class Period:
    first: dt.date  # inclusive
    last: dt.date  # inclusive

    @property
    def start(self) -> dt.datetime:
        return _midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        return _midnight(self.last + dt.timedelta(days=1))

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def this_month(today: dt.date | None = None) -> Period:
    today = today or clock.today()
    first = today.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return Period(first, following - dt.timedelta(days=1))


def this_week(today: dt.date | None = None) -> Period:
    today = today or clock.today()
    monday = today - dt.timedelta(days=today.weekday())
    return Period(monday, monday + dt.timedelta(days=6))


def last_month(today: dt.date | None = None) -> Period:
    first = (today or clock.today()).replace(day=1)
    return this_month(first - dt.timedelta(days=1))


PRESETS = {
    "week": (_("This week"), this_week),
    "month": (_("This month"), this_month),
    "last_month": (_("Last month"), last_month),
}
LONGEST = 400  # days: a year and a bit, enough for an annual report


def period_between(first: dt.date | None, last: dt.date | None) -> Period:
    """The period from two optional dates: this month when both are missing, up to today when `last` is."""
    if first is None and last is None:
        return this_month()
    last = last or clock.today()
    first = first or last.replace(day=1)
    if last < first:
        raise ApplicationError(gettext("The end of the period is before its start."), field="last")
    if (last - first).days >= LONGEST:
        raise ApplicationError(
            gettext("Choose a period of at most %(n)d days.") % {"n": LONGEST}, field="last"
        )
    return Period(first, last)


def with_span(qs: QuerySet, period: Period) -> QuerySet:
    """Closed attendances overlapping the period, each with `span`: its time inside the period."""
    start = Value(period.start, output_field=DateTimeField())
    end = Value(period.end, output_field=DateTimeField())
    return qs.filter(
        checked_in_at__isnull=False,
        checked_out_at__isnull=False,
        checked_in_at__lt=period.end,
        checked_out_at__gt=period.start,
    ).annotate(
        span=ExpressionWrapper(
            Least(F("checked_out_at"), end) - Greatest(F("checked_in_at"), start),
            output_field=DurationField(),
        )
    )


def totals(qs: QuerySet, period: Period, *, by: str) -> dict:
    """{value of `by`: {"total": timedelta, "shifts": n, "members": n}} in one query."""
    rows = (
        with_span(qs, period)
        .order_by()
        .values(by)
        .annotate(
            total=Sum("span"),
            shifts=Count("shift_id", distinct=True),
            members=Count("member_id", distinct=True),
        )
    )
    return {row[by]: row for row in rows}


def hours(span: dt.timedelta | None) -> float:
    """Hours with one decimal, as the pages and the API show them."""
    return round((span or dt.timedelta(0)).total_seconds() / 3600, 1)
