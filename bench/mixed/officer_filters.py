"""The filters an officer sets on the case register: open work, what is late, one category, what came
in by phone. One list for the mixed load (locustfile.py imports it as a sibling, from its own folder)
and for `python -m bench.register_filters`, which times each of them."""

from __future__ import annotations

PERIODS = ["", "period=this_month", "period=last_month", "period=this_year"]


def register_filters(categories: list[str]) -> list[str]:
    """The register's query strings, with the catalogue's top-level category codes given in order."""
    return [
        "",
        "state=open",
        "state=overdue",
        "state=closed",
        "state=handling",
        "tier=community",
        "channel=hotline_12345",
        *(f"category={code}" for code in categories[:6]),
        *(f"state=closed&category={code}" for code in categories[:3]),
    ]
