"""`civicgrid demo`: load a realistic demo county (once; running it again does nothing)."""

from __future__ import annotations

import argparse
import time

from django.core.management.base import BaseCommand, CommandError

from civicgrid.demo.generator import COUNTY_CODE, DEMO_PASSWORD, SCALES
from civicgrid.demo.gridwork import load_grid_work
from civicgrid.demo.loader import DemoError, demo_load

# A year of cases for the small county: enough for queues, dashboards and ledgers to look real.
DEMO_CASES = 400


class Command(BaseCommand):
    help = "Load a deterministic demo county: territory, people, organisations and one login per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            choices=sorted(SCALES),
            default="small",
            help=(
                "small: one town, about 3,000 residents; county: about 500,000 residents; "
                "city: about 5,000,000 residents (PostgreSQL only)."
            ),
        )
        parser.add_argument("--seed", type=int, default=1, help="The same seed gives the same county.")
        # For quick trials and tests: only the first N communities of the layout.
        parser.add_argument("--communities", type=int, default=None, help=argparse.SUPPRESS)

    def handle(self, *args, scale: str, seed: int, communities: int | None, **options):
        if communities is not None and communities < 1:
            raise CommandError("--communities must be at least 1.")
        verbose = options.get("verbosity", 1) >= 1
        progress = self.stdout.write if verbose else None
        try:
            result = demo_load(scale=scale, seed=seed, communities=communities, progress=progress)
        except DemoError as exc:
            raise CommandError(str(exc)) from exc
        if not result.created:
            if not result.complete:
                raise CommandError(
                    f"The demo county {COUNTY_CODE} is present but its load did not finish. "
                    "Start again from an empty database."
                )
            if scale == "small" and communities is None:
                # A demo loaded by an earlier release gains the grid work it did not have yet.
                load_grid_work(seed=seed, progress=progress)
            self.stdout.write(f"The demo county {COUNTY_CODE} is already loaded; nothing more to do.")
            return
        if scale == "small" and communities is None:
            from civicgrid.demo.cases import load_demo_cases

            started = time.monotonic()
            made = load_demo_cases(seed=seed, count=DEMO_CASES, progress=progress)
            if verbose:
                self.stdout.write(
                    f"  {made} demo cases over the past year ({time.monotonic() - started:.1f} s)"
                )
            started = time.monotonic()
            load_grid_work(seed=seed, progress=progress)
            if verbose:
                self.stdout.write(f"  grid work ({time.monotonic() - started:.1f} s)")
        if not verbose:
            return
        w = self.stdout.write
        w(
            self.style.SUCCESS(
                f"Demo county loaded in {result.elapsed:.1f} s (peak memory {result.peak_rss_mb:.0f} MB)."
            )
        )
        for key in (
            "territory_nodes",
            "organisations",
            "houses",
            "households",
            "residents",
            "taggings",
            "moves",
            "party_members",
            "users",
        ):
            w(f"  {key.replace('_', ' '):<16} {result.counts.get(key, 0):>9,}")
        w("")
        w(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        width = max(len(u) for u, _r, _n, _w in result.logins)
        for username, role, name, where in result.logins:
            w(f"  {username:<{width}}  {role:<22}  {name:<4}  {where}")
