"""`make bench`: make data at a scale on PostgreSQL, run the suite, write docs/benchmarks.md
(docs/benchmarks-city.md for the city, docs/benchmarks-small.md for the small scale).

    .venv/bin/python -m bench.run --scale county            # ~500 k residents, 1 M cases (3 years)
    .venv/bin/python -m bench.run --scale county --reuse    # the data of the last run; only measure
    .venv/bin/python -m bench.run --scale city              # ~4.7 M residents, 10 M cases (5 years)

The case register is measured as the cases grow (10 k, 100 k, then the scale's total) on one database,
each step against the same run's "hello world"; the peer (django-helpdesk) is loaded with the same
numbers of tickets. Every figure is a ratio to a baseline of the same run, or a percentile printed
beside its baseline, because this machine is shared and noisy. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import time
from dataclasses import dataclass
from pathlib import Path

from bench import db

SCALES = {
    # residents come from the demo generator's scale; cases are copied in on top, over `years`.
    "small": {"people": "small", "cases": 100_000, "years": 2, "steps": (10_000, 100_000)},
    "county": {"people": "county", "cases": 1_000_000, "years": 3, "steps": (10_000, 100_000, 1_000_000)},
    "city": {
        "people": "city",
        "cases": 10_000_000,
        "years": 5,
        "steps": (10_000, 100_000, 1_000_000, 10_000_000),
    },
}
SUITES = ("case_list", "dashboard", "intake", "peer", "registry_import", "mixed")
# Suites measured once on the full data, each a module of bench/suites with run(ctx) -> dict and
# section(result) -> list[str] (its part of docs/benchmarks.md), in this order.
FINAL_SUITES = ("registry_import", "mixed")
PEER_MAX = 1_000_000  # the peer is compared at 10 k, 100 k and 1 M tickets; 10 M would take it an hour


@dataclass
class Context:
    scale: str
    env: dict
    var: Path
    workers: int
    seconds: int
    log: Path


def _say(text: str) -> None:
    print(text, flush=True)


def _django(env: dict) -> None:
    for key in (
        "DATABASE_URL",
        "CIVICGRID_ENV",
        "CIVICGRID_DEBUG",
        "CIVICGRID_VAR_DIR",
        "DJANGO_SETTINGS_MODULE",
    ):
        os.environ[key] = env[key]
    import django

    django.setup()


def _case_count() -> int:
    from civicgrid.cases.models import Case

    return Case.objects.count()


def _grow_to(target: int, years: int, data: dict) -> None:
    from bench import cases_data

    have = _case_count()
    if have >= target:
        return
    _say(f"== copying cases: {have:,} → {target:,}")
    loaded = cases_data.load(target - have, years=years, seed=target, progress=_say)
    data.setdefault("case_loads", []).append({"to": target, **loaded})


def _people(ctx: Context, spec: dict, data: dict) -> None:
    _say(f"== migrating and loading the demo county ({spec['people']} scale)")
    t0 = time.monotonic()
    db.civicgrid(ctx.env, "migrate", "--noinput")
    out = db.civicgrid(ctx.env, "demo", "--scale", spec["people"], "--seed", "1")
    data["demo_seconds"] = round(time.monotonic() - t0, 1)
    data["demo_output"] = [line for line in out.splitlines() if "residents" in line or "loaded" in line][:4]


def _rebuild_stats(data: dict) -> None:
    from django.db import connection

    from civicgrid.cases.measures_tally import stats_rebuild, stats_vacuum

    _say("== rebuilding the roll-up from the raw rows")
    t0 = time.monotonic()
    counts = stats_rebuild(lambda text: _say(f"  {text}"))
    data["rebuild"] = {**counts, "seconds": round(time.monotonic() - t0, 1)}
    t0 = time.monotonic()
    if stats_vacuum(lambda text: _say(f"  {text}")):  # as `rebuild_case_stats` does
        data["rebuild"]["vacuum_seconds"] = round(time.monotonic() - t0, 1)
    with connection.cursor() as c:
        c.execute("ANALYZE")


def sizes() -> dict:
    from civicgrid.cases.models import Case, CaseStat
    from civicgrid.registry.models import Household, Resident
    from civicgrid.territory.models import Territory

    return {
        "residents": Resident.objects.count(),
        "households": Household.objects.count(),
        "grids": Territory.objects.filter(level="grid").count(),
        "cases": Case.objects.count(),
        "rollup_rows": CaseStat.objects.count(),
    }


def machine() -> dict:
    import django
    from django.db import connection

    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    mem = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    with connection.cursor() as c:
        c.execute("SHOW server_version")
        pg = c.fetchone()[0]
        # Off on some test machines' servers: dead row versions then stay until a VACUUM by hand.
        c.execute("SHOW autovacuum")
        autovacuum = c.fetchone()[0]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(mem.split()[1]) / 1024 / 1024, 1),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgresql": pg,
        "autovacuum": autovacuum,
        "os": platform.platform(),
    }


def docs_name(scale: str) -> str:
    """The county is the figures of record; other scales get their own page beside it."""
    return "benchmarks.md" if scale == "county" else f"benchmarks-{scale}.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=sorted(SCALES), default="county")
    parser.add_argument("--reuse", action="store_true", help="keep the data of the last run")
    parser.add_argument("--only", default=",".join(SUITES), help=f"comma-separated, from {', '.join(SUITES)}")
    parser.add_argument("--seconds", type=int, default=20, help="length of each load run (at most 120)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers, for us and the peer")
    parser.add_argument("--no-docs", action="store_true", help="print the figures, leave docs/ alone")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="with --reuse: measure --only these again, keep the last run's other figures",
    )
    parser.add_argument(
        "--note",
        action="append",
        default=[],
        help="a condition of this run the figures cannot show (printed in docs/; kept by --merge)",
    )
    args = parser.parse_args()
    if args.merge and not args.reuse:
        parser.error("--merge measures again on the last run's data: give --reuse too")
    if args.merge and {"case_list", "peer"} & set(args.only.split(",")):
        parser.error("--merge is for the suites measured once on the full data, not the register's steps")
    spec = SCALES[args.scale]
    only = [s for s in args.only.split(",") if s]
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/cg_bench_{args.scale}")
    var = db.ROOT / "var" / "bench" / args.scale
    var.mkdir(parents=True, exist_ok=True)
    ctx = Context(
        args.scale, db.environment(url, var), var, args.workers, min(args.seconds, 120), var / "server.log"
    )
    state_file = var / "data.json"
    data = json.loads(state_file.read_text()) if args.reuse and state_file.exists() else {}
    if not args.reuse:
        db.ensure_database(url, recreate=True)
    _django(ctx.env)
    if not args.reuse:
        _people(ctx, spec, data)
    else:
        # The last run's data under this checkout's schema: a pull may have brought migrations.
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
    from bench.suites import case_list, dashboard, intake

    last = var / "results.json"
    results: dict = json.loads(last.read_text()) if args.merge and last.exists() else {"steps": []}
    if args.merge:
        results["merged"] = sorted({*results.get("merged", []), *only})
    results["notes"] = [*results.get("notes", []), *args.note] if args.merge else list(args.note)
    for step in spec["steps"]:
        if step < _case_count() and step != spec["steps"][-1]:
            # Data of an earlier run (--reuse) is past this step; it cannot be measured here honestly.
            # The last step is measured at whatever the data holds, and labelled with that.
            _say(f"== {step:,} cases: the data already holds more, skipped")
            continue
        _grow_to(step, spec["years"], data)
        if "case_list" in only:
            _say(f"== case register at {step:,} cases")
            results["steps"].append({"cases": _case_count(), **case_list.run(ctx)})
        if "peer" in only and step <= PEER_MAX:
            from bench import peer_helpdesk

            _say(f"== django-helpdesk's ticket list at {step:,} tickets")
            results.setdefault("peer", []).append(
                {
                    "tickets": step,
                    **peer_helpdesk.measure(step, seconds=ctx.seconds, workers=ctx.workers, threads=1),
                }
            )
    _grow_to(spec["cases"], spec["years"], data)
    if not args.reuse or "rebuild" not in data:
        _rebuild_stats(data)
    state_file.write_text(json.dumps(data, indent=2, default=str))
    if "dashboard" in only:
        _say("== three-rates dashboard")
        results["dashboard"] = dashboard.run(ctx)
    if "intake" in only:
        _say("== intake through the API with the sweep running")
        results["intake"] = intake.run(ctx)
    for name in FINAL_SUITES:
        if name in only:
            _say(f"== {name.replace('_', ' ')}")
            results[name] = importlib.import_module(f"bench.suites.{name}").run(ctx)
    results.update(scale=args.scale, machine=machine(), sizes=sizes(), data=data, seconds=ctx.seconds)
    (var / "results.json").write_text(json.dumps(results, indent=2, default=str))
    from bench import report

    text = report.render(results)
    print(text)
    if not args.no_docs:
        (db.ROOT / "docs" / docs_name(args.scale)).write_text(text)


if __name__ == "__main__":
    main()
