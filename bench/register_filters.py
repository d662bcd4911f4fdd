"""Every filter the mixed load sets on the case register, for each officer of the demo, timed once
in-process on the last run's data: the slowest first. Finds the filter combinations the planner reads
badly at a scale (what the mixed load's register p99 hides). Not part of `make bench`'s figures.

    .venv/bin/python -m bench.register_filters --scale city
"""

from __future__ import annotations

import argparse
import os
import time

from bench import db
from bench.mixed.officer_filters import register_filters
from bench.run import _django

PERSONAS = ("town_officer", "community_secretary", "grid_chief", "department_handler")
PERIODS = ("", "period=this_year")  # of the mixed load's periods, the widest two


def filters() -> list[str]:
    from civicgrid.cases.selectors import categories_active

    # The mixed load's own list, with the same categories its plan names (bench/suites/mixed.py).
    return register_filters([c.code for c in categories_active() if c.parent_id is None])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="county")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/cg_bench_{args.scale}")
    _django(db.environment(url, db.ROOT / "var" / "bench" / args.scale))
    from django.test import Client

    from civicgrid.accounts.models import User

    timed = []
    for username in PERSONAS:
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(User.objects.get(username=username))
        for query in ("&".join(p for p in (f, period) if p) for f in filters() for period in PERIODS):
            client.get(f"/cases/list/?{query}")  # warm: the figure is the plan, not a cold cache
            started = time.monotonic()
            status = client.get(f"/cases/list/?{query}").status_code
            timed.append(((time.monotonic() - started) * 1000, username, query or "(none)", status))
    print(f"{'ms':>8}  {'who':<20} filters")
    for ms, username, query, status in sorted(timed, reverse=True)[: args.top]:
        print(f"{ms:8.1f}  {username:<20} {query}{'' if status == 200 else f'  (HTTP {status})'}")


if __name__ == "__main__":
    main()
