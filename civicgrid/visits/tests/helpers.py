"""Constants and a shorthand shared by the visit tests."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from civicgrid.visits import services

KEY_PERSON_PERM = "keypersons.view"
# A Monday morning in early March. The rules' first round ended on 1 January (a yearly round began a
# year before, the monthly one a month before), so a household never visited has been due since then.
NOW = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))
START = dt.date(2026, 1, 1)


def visit(actor, household, kind="comprehensive", **kwargs):
    """Log a visit with only what a test cares about."""
    kwargs.setdefault("findings", "一切正常")
    return services.visit_log(actor=actor, data=services.VisitInput(household=household, kind=kind, **kwargs))
