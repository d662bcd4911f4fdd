"""Benchmark of the measures on PostgreSQL: the overview from the roll-up vs. an aggregate over raw cases.

Run:  .venv/bin/python scripts/bench_measures.py [--cases 1000000] [--runs 50] [--reuse] [--write-docs]

It uses its own database (DATABASE_URL, default postgres://postgres@127.0.0.1:5432/cg_measures_bench),
migrates it, and COPYs in a county of 10 towns × 20 communities × 8 grids with a year of realistic cases
(skewed categories, a fifth dispatched, most closed with ratings) plus their deadlines, dispatches and
resolve events. Then `stats_rebuild` builds the roll-up from those raw rows, and each reading is timed.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cg_measures_bench"
TOWNS, COMMUNITIES, GRIDS = 10, 20, 8


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--cases", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=50)
    p.add_argument(
        "--reuse", action="store_true", help="keep the data of the last run; only time the readings"
    )
    p.add_argument("--write-docs", action="store_true", help="put the figures into docs/measures.md")
    return p.parse_args()


def ensure_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def build_tree():
    from civicgrid.orgs import services as orgs_services
    from civicgrid.territory import services as t
    from civicgrid.territory.models import Level

    county = t.territory_create(actor=None, level=Level.COUNTY, code="520602000000", name="基准县")
    towns, grids = [], []
    for i in range(1, TOWNS + 1):
        town = t.territory_create(
            actor=None,
            level=Level.TOWN,
            code=f"520602{i:03d}000",
            name=f"第{i}镇",
            parent=county,
            kind="township",
        )
        towns.append(town)
        for j in range(1, COMMUNITIES + 1):
            community = t.territory_create(
                actor=None,
                level=Level.COMMUNITY,
                code=f"520602{i:03d}{j:03d}",
                name=f"{i}镇{j}村",
                parent=town,
                kind="village",
            )
            for k in range(1, GRIDS + 1):
                grids.append(
                    t.territory_create(
                        actor=None,
                        level=Level.GRID,
                        code=f"{community.code}{k:03d}",
                        name=f"{j}村{k}网格",
                        parent=community,
                    )
                )
    departments = [
        orgs_services.organisation_create(
            actor=None, kind="department", name=name, territory=county, categories=cats
        )
        for name, cats in (("县水务局", ["water"]), ("县住建局", ["roads"]), ("县城管局", ["sanitation"]))
    ]
    return county, towns, grids, departments


def make_users(town):
    from civicgrid.accounts import services as accounts
    from civicgrid.accounts.models import User
    from civicgrid.accounts.roles import Role

    officer = accounts.user_create(actor=None, username="bench_officer", password=None)
    accounts.role_assign(actor=None, user=officer, role=Role.TOWN_OFFICER, territory=town)
    handlers = User.objects.bulk_create(
        [User(username=f"bench_handler_{i}", password="!") for i in range(40)]  # noqa: S106 - unusable
    )
    return officer, handlers


def generate(total: int, grids, departments, handlers, seed: int = 1):
    """Yield (case, deadlines, assignment, event) dicts for `total` cases over the last twelve months."""
    from civicgrid.cases.models import Category

    rng = random.Random(seed)
    tz = dt.timezone(dt.timedelta(hours=8))
    today = dt.datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    start = (today.replace(day=1) - dt.timedelta(days=335)).replace(day=1)
    span = (today - start).total_seconds() + 86_400
    categories = list(Category.objects.filter(active=True).values_list("pk", flat=True))
    weights = [1 / (i + 1) ** 1.1 for i in range(len(categories))]  # a few categories carry most cases
    # Cases are resolved by the staff of their own community, or by a handler of their department.
    grid_rows = [(g.pk, g.path, n // GRIDS) for n, g in enumerate(grids)]
    dept_ids = [d.pk for d in departments]
    hours = dt.timedelta(hours=1)
    for i in range(total):
        created = start + dt.timedelta(seconds=rng.random() * span)
        territory_id, path, community = rng.choice(grid_rows)
        roll = rng.random()
        state = (
            "received"
            if roll < 0.06
            else "handling"
            if roll < 0.16
            else "resolved"
            if roll < 0.30
            else "merged"
            if roll < 0.33
            else "closed"
        )
        responded = (
            created + hours * rng.uniform(0.2, 30) if state != "received" and state != "merged" else None
        )
        resolved = responded + hours * rng.uniform(2, 24 * 20) if state in ("resolved", "closed") else None
        dispatched = rng.random() < 0.2
        rating = ""
        if state == "closed":
            r = rng.random()
            rating = "satisfied" if r < 0.8 else "basically" if r < 0.95 else "unsatisfied"
        tier = rng.choice(["grid", "grid", "grid", "community", "community", "town"])
        department = rng.randrange(len(dept_ids))
        resolver = handlers[30 + department] if dispatched else handlers[community % 30]
        if dispatched:
            tier = "department"
        case_id = i + 1
        case = {
            "id": case_id,
            "created_at": created,
            "updated_at": resolved or responded or created,
            "territory_path": path,
            "code": f"B{case_id:011d}",
            "channel": rng.choice(["hotline_12345", "walk_in", "portal", "visit", "wechat"]),
            "category_id": rng.choices(categories, weights)[0],
            "urgency": "normal",
            "title": "基准诉求",
            "description": "基准测试用的诉求内容",
            "territory_id": territory_id,
            "tier": tier,
            "state": state,
            "responded_at": responded,
            "resolved_at": resolved,
            "closed_at": resolved if state == "closed" else None,
            "settled_tier": tier if resolved else "",
            "on_the_spot": bool(resolved) and rng.random() < 0.25,
            "dispatched": dispatched,
            "rating": rating,
        }
        respond_due = created + 24 * hours
        resolve_due = created + 15 * 24 * hours
        deadlines = [
            {
                "case_id": case_id,
                "kind": "respond",
                "round": 1,
                "tier": tier,
                "due_at": respond_due,
                "warn_at": respond_due - 5 * hours,
                "met_at": responded,
            },
            {
                "case_id": case_id,
                "kind": "resolve",
                "round": 1,
                "tier": tier,
                "due_at": resolve_due,
                "warn_at": resolve_due - 72 * hours,
                "met_at": resolved,
            },
        ]
        assignment = None
        if dispatched:
            assignment = {
                "case_id": case_id,
                "territory_path": path,
                "department_id": dept_ids[department],
                "lead": True,
                "assigned_at": created + hours,
                "finished_at": resolved,
                "active": True,
            }
        event = None
        if resolved:
            event = {
                "case_id": case_id,
                "at": resolved,
                "actor_id": resolver.pk,
                "action": "resolve",
                "from_state": "handling",
                "to_state": "resolved",
                "tier": tier,
                "note": "已办结",
                "public": True,
                "data": "{}",
            }
        yield case, deadlines, assignment, event


def load(total: int, grids, departments, handlers) -> dict:
    from django.db import connection

    from bench.cases_data import copy_rows
    from civicgrid.cases.models import Case, CaseAssignment, CaseEvent, Deadline

    started = time.monotonic()
    gc.disable()  # millions of small dicts: the collector would only rescan them
    cases, deadlines, assignments, events = [], [], [], []
    for case, ds, a, e in generate(total, grids, departments, handlers):
        cases.append(case)
        deadlines.extend(ds)
        if a:
            assignments.append(a)
        if e:
            events.append(e)
    gc.enable()
    generated = time.monotonic()
    tables = [m._meta.db_table for m in (Case, Deadline, CaseAssignment, CaseEvent)]
    with connection.cursor() as c:
        raw = c.cursor
        # The usual bulk load: foreign keys are not checked again (the rows are made consistent above),
        # and plain indexes are dropped during the COPY and built once after it.
        c.execute("SET session_replication_role = replica")
        c.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint)",
            [tables],
        )
        indexes = c.fetchall()
        for name, _definition in indexes:
            c.execute(f'DROP INDEX "{name}"')
        counts = {
            "cases": copy_rows(raw, Case, cases),
            "deadlines": copy_rows(raw, Deadline, deadlines),
            "dispatches": copy_rows(raw, CaseAssignment, assignments),
            "events": copy_rows(raw, CaseEvent, events),
        }
        for _name, definition in indexes:
            c.execute(definition)
        for table in tables:
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )
            c.execute(f"ANALYZE {table}")
        c.execute("SET session_replication_role = DEFAULT")
    counts["generate_seconds"] = round(generated - started, 1)
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts


def timed(fn, runs: int) -> dict:
    fn()  # warm the caches once, as a page served a minute ago would have
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
        "runs": runs,
    }


def readings(officer, county_user, town, county, runs: int) -> list[tuple[str, dict]]:
    from django.db import connection

    from bench.suites.dashboard import RAW as BASELINE  # the suite's one raw aggregate
    from civicgrid import access
    from civicgrid.cases import measures
    from civicgrid.core import paths

    def overview(user, node, period, breakdowns=("territory", "department", "category", "handler")):
        def run():
            access.forget(user)
            for by in breakdowns:
                measures.three_rates_for(user, node, period, by=by)

        return run

    def places(user, node, period):
        return overview(user, node, period, breakdowns=("territory",))

    def baseline(node, period):
        zone = dt.timezone(dt.timedelta(hours=8))
        params = {
            "width": len(node.path) + paths.STEP,
            "lo": node.path,
            "hi": paths.successor(node.path),
            "start": dt.datetime.combine(period.start, dt.time(), zone),
            "end": dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), zone),
        }

        def run():
            with connection.cursor() as c:
                c.execute(BASELINE, params)
                c.fetchall()

        return run

    month = measures.period_of("this_month")
    this_year = measures.period_of("this_year")
    year = measures.Period("custom", (month.start - dt.timedelta(days=335)).replace(day=1), month.end)
    slow = max(3, runs // 10)
    return [
        ("town, this month: roll-up, places only", timed(places(officer, town, month), runs)),
        ("town, this month: roll-up, whole page (4 tables)", timed(overview(officer, town, month), runs)),
        ("town, this month: raw cases, places only", timed(baseline(town, month), runs)),
        ("town, this year: roll-up, places only", timed(places(officer, town, this_year), runs)),
        ("town, this year: roll-up, whole page (4 tables)", timed(overview(officer, town, this_year), runs)),
        ("town, this year: raw cases, places only", timed(baseline(town, this_year), slow)),
        ("town, last 12 months: roll-up, whole page (4 tables)", timed(overview(officer, town, year), runs)),
        ("county, this year: roll-up, places only", timed(places(county_user, county, this_year), runs)),
        (
            "county, this year: roll-up, whole page (4 tables)",
            timed(overview(county_user, county, this_year), runs),
        ),
        ("county, this year: raw cases, places only", timed(baseline(county, this_year), slow)),
    ]


def main() -> None:
    args = parse_args()
    url = os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    if not url.startswith("postgres"):
        sys.exit("bench_measures needs PostgreSQL: set DATABASE_URL to a postgres:// URL")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
    ensure_database(url)
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count

    from civicgrid.accounts.models import User
    from civicgrid.cases import catalogue
    from civicgrid.cases.measures_tally import stats_rebuild
    from civicgrid.cases.models import CaseStat, CaseTally, Category
    from civicgrid.territory.models import Territory

    call_command("migrate", verbosity=0)
    report = {}
    if not args.reuse:
        call_command("flush", interactive=False, verbosity=0)
        catalogue.install(Category)  # flush emptied what the data migration had put in
        t0 = time.monotonic()
        county, towns, grids, departments = build_tree()
        officer, handlers = make_users(towns[0])
        report["tree_seconds"] = round(time.monotonic() - t0, 1)
        report["load"] = load(args.cases, grids, departments, handlers)
        t0 = time.monotonic()
        rebuilt = stats_rebuild()
        report["rebuild"] = {**rebuilt, "seconds": round(time.monotonic() - t0, 1)}
        with connection.cursor() as c:
            for model in (CaseStat, CaseTally):
                c.execute(f"ANALYZE {model._meta.db_table}")
    county = Territory.objects.get(level="county")
    town = Territory.objects.filter(level="town").order_by("path").first()
    officer = User.objects.get(username="bench_officer")
    superuser, _ = User.objects.get_or_create(username="bench_superuser", defaults={"is_superuser": True})
    by_grain = dict(CaseStat.objects.order_by().values_list("grain").annotate(n=Count("pk")))
    report["rows"] = {"stat_rows": sum(by_grain.values()), **by_grain}
    results = readings(officer, superuser, town, county, args.runs)
    lines = [
        f"- data: {report.get('load', {}).get('cases', 'reused')} cases "
        f"({TOWNS} towns × {COMMUNITIES} communities × {GRIDS} grids, 12 months), "
        f"{report['rows']['stat_rows']} roll-up rows ({report['rows'].get('d', 0)} day, "
        f"{report['rows'].get('m', 0)} month and {report['rows'].get('y', 0)} year rows)",
    ]
    if "load" in report:
        lines.append(
            f"- making the raw rows: {report['load']['generate_seconds']} s; "
            f"with loading them by COPY: {report['load']['seconds']} s; "
            f"`rebuild_case_stats` over them: {report['rebuild']['seconds']} s"
        )
    lines += ["", "| reading | p50 ms | p95 ms | runs |", "|---|---:|---:|---:|"]
    lines += [f"| {name} | {r['p50']:.1f} | {r['p95']:.1f} | {r['runs']} |" for name, r in results]
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        doc = ROOT / "docs" / "measures.md"
        content = doc.read_text()
        start, end = "<!-- measured:start -->", "<!-- measured:end -->"
        head, rest = content.split(start, 1)
        _, tail = rest.split(end, 1)
        stamp = dt.date.today().isoformat()
        doc.write_text(
            f"{head}{start}\nMeasured on {stamp} on this project's 2-core machine:\n\n{text}\n{end}{tail}"
        )


if __name__ == "__main__":
    main()
