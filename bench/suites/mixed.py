"""The mixed load (locust: grid workers, officers, residents, the hotline's API) and a worker's memory.

Locust comes from PyPI into its own venv (var/bench/locust-venv), never the product's. The product is
served as in the other suites (bench.server.gunicorn, ctx.workers sync workers, one thread each),
with one setting more: it sits behind one proxy that names each resident's address, so the portal's
per-address limits apply per resident rather than to the load generator's one address. The scenario
is bench/mixed/locustfile.py; its README says what each user does. The run lasts BENCH_MIXED_SECONDS
(default 600, the ten minutes of the target) with BENCH_MIXED_USERS simulated people.

Beside the product's figures runs a baseline: one probe asks the bare /bench/hello view every second
during the same load, timed outside locust's statistics, so the machine's own delay is printed next
to the product's p95. After the load the resident set of every gunicorn worker is read; the idle
workers' resident set just after start is the baseline beside it.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import venvs
from bench.db import ROOT
from bench.server import gunicorn, session_cookie, worker_rss_mb

LOCUST = "2.47.0"  # the newest release when this benchmark was written
VENV = ROOT / "var" / "bench" / "locust-venv"
LOCUSTFILE = ROOT / "bench" / "mixed" / "locustfile.py"
SECONDS_ENV, USERS_ENV = "BENCH_MIXED_SECONDS", "BENCH_MIXED_USERS"
DEFAULT_SECONDS = 600
DEFAULT_USERS = 40
P95_TARGET_MS = 300
RSS_TARGET_MB = 250
PERSONAS = ("grid_worker", "grid_chief", "town_officer", "community_secretary", "department_handler")
PERCENTILES = ("50%", "95%", "99%")
# What the target names (queues, case detail, intake, visits, dashboard): a run in which one of these
# never happened (a page changed and the scenario no longer finds its links) proves nothing about it.
REQUIRED = (
    "officer: my queue", "worker: visits due", "officer: case detail", "officer: case register (filtered)",
    "api: case intake (POST)", "resident: report (POST)", "worker: log a visit (POST)",
    "officer: three-rates dashboard",
)  # fmt: skip


def ensure_locust(progress=print) -> dict:
    """Make or reuse the locust venv, on the interpreter our own venv is made from."""
    made = venvs.stamp(VENV)
    if made and made.get("locust") == LOCUST:
        return made
    base = Path(sys.base_prefix) / "bin" / "python3"
    progress(f"  making {VENV} with {base} and locust=={LOCUST}")
    venvs.build(VENV, base, [f"locust=={LOCUST}"])
    versions = json.loads(
        venvs.run_quiet([str(venvs.python(VENV)), "-c",
                         "import json, platform, importlib.metadata as m; print(json.dumps({"
                         "'python': platform.python_version(), 'locust': m.version('locust'), "
                         "'gevent': m.version('gevent'), 'requests': m.version('requests')}))"])
    )  # fmt: skip
    return venvs.write_stamp(
        VENV, {**versions, "base_python": str(base), "requirements": [f"locust=={LOCUST}"]}
    )


def _plan(users: int, seconds: int) -> dict:
    """What the simulated people start from: their sessions, door plates, tracking codes, a token."""
    from civicgrid.accounts.models import RoleAssignment
    from civicgrid.accounts.tokens import token_create
    from civicgrid.cases.models import Case
    from civicgrid.cases.selectors import categories_active
    from civicgrid.core import clock
    from civicgrid.registry.models import House

    # One session per simulated device: people share an account only as one person on several phones.
    sessions = {name: [session_cookie(name) for _ in range(max(1, users // 3))] for name in PERSONAS}
    worker = RoleAssignment.objects.active().get(user__username="grid_worker", role="grid_worker")
    # The token lapses an hour after the run: nothing is left behind that opens the API.
    expires = clock.now() + dt.timedelta(seconds=seconds + 3600)
    _, token = token_create(actor=None, user=worker.user, name="bench mixed load", expires_at=expires)
    area = House.objects.filter(territory_path__startswith=worker.territory_path)
    return {
        "sessions": sessions,
        "api_token": token,
        "categories": [c.code for c in categories_active() if c.parent_id is None],
        # Door plates anywhere in the county, for residents.
        "house_codes": list(House.objects.order_by("?").values_list("house_code", flat=True)[:2000]),
        # The doors of the grid its worker and chief walk (the worker's token takes in cases there too).
        "worker_house_codes": list(
            area.filter(households__status="active").distinct().values_list("house_code", flat=True)[:500]
        ),
        "intake_house_codes": list(area.values_list("house_code", flat=True)[:200]),
        "tracking_codes": list(Case.objects.order_by("?").values_list("code", flat=True)[:2000]),
    }


def _rows(path: str) -> list[dict]:
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def _read_stats(prefix: Path) -> dict:
    rows = _rows(f"{prefix}_stats.csv")

    def figures(row: dict) -> dict:
        out = {"requests": int(row["Request Count"]), "failures": int(row["Failure Count"])}
        for p in PERCENTILES:
            out[f"p{p[:-1]}_ms"] = float(row[p]) if row[p] not in ("N/A", "") else None
        out["mean_ms"] = round(float(row["Average Response Time"]), 1)
        out["rps"] = round(float(row["Requests/s"]), 2)
        return out

    types = {r["Name"]: {"method": r["Type"], **figures(r)} for r in rows if r["Name"] != "Aggregated"}
    overall = next((figures(r) for r in rows if r["Name"] == "Aggregated"), None)
    failures = [
        {"name": r["Name"], "error": r["Error"][:300], "count": int(r["Occurrences"])}
        for r in _rows(f"{prefix}_failures.csv")
    ]
    exceptions = [
        {"message": r["Message"][:300], "count": int(r["Count"])} for r in _rows(f"{prefix}_exceptions.csv")
    ]
    return {"types": types, "overall": overall, "failures": failures, "exceptions": exceptions}


def _locust(base: str, plan: Path, prefix: Path, *, users: int, seconds: int, log: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO", "CIVICGRID", "DATABASE"))}
    env.update(MIXED_PLAN=str(plan), MIXED_PROBE=f"{prefix}_probe.json", PYTHONPATH="")
    cmd = [
        str(VENV / "bin" / "locust"), "-f", str(LOCUSTFILE), "--headless", "--host", base,
        "--users", str(users), "--spawn-rate", str(max(1, users // 10)), "--run-time", f"{seconds}s",
        "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING", "--stop-timeout", "10",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    with open(log, "w") as out:
        done = subprocess.run(
            cmd, env=env, cwd=LOCUSTFILE.parent, stdout=out, stderr=out, timeout=seconds + 300
        )
    if done.returncode:
        raise RuntimeError(f"locust failed ({done.returncode}); see {log}")


def _probe(path: Path) -> dict:
    samples = sorted(json.loads(path.read_text())) if path.exists() else []
    if not samples:
        return {"requests": 0}
    pick = lambda q: samples[min(len(samples) - 1, round(q * (len(samples) - 1)))]  # noqa: E731
    return {"requests": len(samples), "p50_ms": pick(0.5), "p95_ms": pick(0.95), "p99_ms": pick(0.99)}


def run(ctx) -> dict:
    seconds = int(os.environ.get(SECONDS_ENV, DEFAULT_SECONDS))
    users = int(os.environ.get(USERS_ENV, DEFAULT_USERS))
    made = ensure_locust()
    out = ctx.var / "mixed"
    out.mkdir(exist_ok=True)
    plan_file, prefix = out / "plan.json", out / "locust"
    for old in out.glob("locust_*"):
        old.unlink()
    plan_file.write_text(json.dumps(_plan(users, seconds)))
    env = {**ctx.env, "CIVICGRID_PROXY_COUNT": "1"}
    started = time.monotonic()
    with gunicorn(env, workers=ctx.workers, log=ctx.log) as (base, proc):
        idle = worker_rss_mb(proc)
        _locust(base, plan_file, prefix, users=users, seconds=seconds, log=out / "locust.log")
        after = worker_rss_mb(proc)
    stats = _read_stats(prefix)
    overall = stats["overall"] or {}
    errors = overall.get("failures", 0) + sum(e["count"] for e in stats["exceptions"])
    missing = [name for name in REQUIRED if not stats["types"].get(name, {}).get("requests")]
    return {
        "seconds": seconds,
        "wall_seconds": round(time.monotonic() - started, 1),
        "users": users,
        "workers": ctx.workers,
        "threads": 1,
        "locust": made,
        **stats,
        "errors": errors,
        "missing": missing,
        "probe": _probe(Path(f"{prefix}_probe.json")),
        "rss_idle_mb": [round(x, 1) for x in idle],
        "rss_after_mb": [round(x, 1) for x in after],
        "rss_max_mb": round(max(after), 1) if after else None,
        "p95_met": overall.get("p95_ms") is not None
        and overall["p95_ms"] < P95_TARGET_MS
        and errors == 0
        and not missing,
        "rss_met": bool(after) and max(after) < RSS_TARGET_MB,
    }


def _ms(x) -> str:
    return "—" if x is None else f"{x:,.0f}"


def _ok(met: bool) -> str:
    return "met" if met else "**missed**"


def section(result: dict) -> list[str]:
    overall, probe = result.get("overall") or {}, result.get("probe") or {}
    raised = sum(e["count"] for e in result["exceptions"])
    minutes = result["seconds"] / 60
    out = [
        "## Mixed load (locust) and a web worker's memory",
        "",
        f"{result['users']} simulated people for {minutes:g} min against {result['workers']} gunicorn sync "
        f"workers: grid workers (today, visits due, logging a visit), officers (queue, filtered register, a "
        f"case, the three-rates dashboard), residents (door-plate report, case status) and the hotline's "
        f"API intake with idempotency keys; think times of seconds, as people have. Locust "
        f"{result['locust'].get('locust', '?')} in its own venv; scenario in `bench/mixed/`.",
        "",
        "| request | count | failures | p50 ms | p95 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, t in sorted(result["types"].items()):
        out.append(
            f"| {name} | {t['requests']:,} | {t['failures']} | {_ms(t['p50_ms'])} | {_ms(t['p95_ms'])} "
            f"| {_ms(t['p99_ms'])} |"
        )
    out += [
        f"| **all** | {overall.get('requests', 0):,} | {overall.get('failures', 0)} | "
        f"{_ms(overall.get('p50_ms'))} | {_ms(overall.get('p95_ms'))} | {_ms(overall.get('p99_ms'))} |",
        "",
        f"- p95 of every request: {_ms(overall.get('p95_ms'))} ms (target < {P95_TARGET_MS} ms, no errors: "
        f"{_ok(result['p95_met'])}); errors: {result['errors']} (failed checks "
        f"{overall.get('failures', 0)}, exceptions in the scenario {raised}). "
        f"Baseline in the same run: `/bench/hello` p95 {_ms(probe.get('p95_ms'))} ms "
        f"(p50 {_ms(probe.get('p50_ms'))} ms, {probe.get('requests', 0)} probes).",
        f"- Resident set of a web worker after the load: max {_ms(result['rss_max_mb'])} MB "
        f"({', '.join(f'{x:.0f}' for x in result['rss_after_mb'])} MB; target < {RSS_TARGET_MB} MB: "
        f"{_ok(result['rss_met'])}). Baseline: the same workers idle after start, "
        f"{', '.join(f'{x:.0f}' for x in result['rss_idle_mb'])} MB.",
        f"- Throughput: {overall.get('rps', 0):,.1f} requests/s over the run.",
    ]
    if result["missing"]:
        out.append(f"- **Never ran**, so not measured: {', '.join(result['missing'])}.")
    for f in result["failures"][:10]:
        out.append(f"- Failure: {f['name']}: {f['error']} ({f['count']}×)")
    for e in result["exceptions"][:5]:
        out.append(f"- Exception in the scenario: {e['message']} ({e['count']}×)")
    out.append("")
    return out
