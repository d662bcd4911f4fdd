"""The weeks and months contacts are counted in: ISO weeks (Monday first) and calendar months, local days.

`clock.today()` is the local day in the deployment's time zone, so a contact at 23:30 on a Sunday in
Asia/Shanghai belongs to that week even though it is still Sunday afternoon in UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from civicgrid.core import clock


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive

    @property
    def reference_day(self) -> dt.date:
        """The day whose pairings the period is judged by: today while it runs, its last day once over."""
        return min(self.end, clock.today())

    @property
    def is_current(self) -> bool:
        return self.start <= clock.today() <= self.end


def week_of(day: dt.date | None = None) -> Period:
    day = day or clock.today()
    start = day - dt.timedelta(days=day.isoweekday() - 1)
    return Period(start, start + dt.timedelta(days=6))


def month_of(day: dt.date | None = None) -> Period:
    day = day or clock.today()
    start = day.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return Period(start, following - dt.timedelta(days=1))


def year_of(day: dt.date | None = None) -> Period:
    day = day or clock.today()
    return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
