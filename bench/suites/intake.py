"""Case intake through the REST API with idempotency keys, while `civicgrid sweep` runs beside it.

wrk posts /api/v1/cases with a fresh Idempotency-Key per request, and every tenth request repeats the
previous key (a client that did not hear the answer): that one must answer 200 and make no case. The
cases made are counted in the database afterwards, so the figure is cases written, not answers.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.db import ROOT
from bench.loadgen import run_wrk
from bench.server import cpu_seconds, gunicorn

# Whose CPU the intake's window is charged to: the web workers, the database, the sweep beside them.
GROUPS = (("bench.wsgi", "web"), ("postgres", "database"), ("civicgrid sweep", "sweep"))


def _group(command: str) -> str | None:
    return next((name for key, name in GROUPS if key in command), None)


LUA = """
local n = 0
local prefix = "%(prefix)s-"
wrk.method = "POST"
wrk.body = [==[%(body)s]==]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer %(token)s"
function setup(thread) thread:set("id", tostring(math.random(1, 1000000000))) end
request = function()
  n = n + 1
  local k = n
  if n %% 10 == 0 then k = n - 1 end
  wrk.headers["Idempotency-Key"] = prefix .. id .. "-" .. k
  return wrk.format(nil, "/api/v1/cases")
end
"""


def _setup() -> tuple[str, str]:
    from civicgrid.accounts.models import RoleAssignment
    from civicgrid.accounts.tokens import token_create
    from civicgrid.registry.models import House

    worker = RoleAssignment.objects.active().filter(role="grid_worker").select_related("user").first()
    house = House.objects.filter(territory_path__startswith=worker.territory_path).first()
    _, raw = token_create(actor=None, user=worker.user, name="bench intake")
    return raw, house.house_code


def submission(house: str) -> str:
    """The body every benchmark submission posts: a hotline call about a house's rubbish."""
    return json.dumps(
        {
            "channel": "hotline_12345",
            "category": "sanitation",
            "description": "楼下垃圾桶满了，三天没有清运",
            "house_code": house,
            "reporter_name": "王先生",
            "reporter_phone": "13812345678",
        },
        ensure_ascii=False,
    )


def _sweep_to_idle(limit: int = 200) -> int:
    """Passes of the sweep until one finds nothing to do: deadlines that fell due while the data was
    made and measured are a backlog a running deployment would not have. The timed window then
    measures intake beside the sweep's steady work (what falls due during it), not a catch-up."""
    from civicgrid.core import registry

    for passes in range(1, limit + 1):
        if not any(any(sweep.run().values()) for sweep in registry.sweeps()):
            return passes
    return limit


def run(ctx) -> dict:
    from civicgrid.cases.models import Case

    token, house = _setup()
    sweep_passes = _sweep_to_idle()
    body = submission(house)
    script = Path(tempfile.mkdtemp(prefix="cg-intake-")) / "intake.lua"
    script.write_text(LUA % {"prefix": f"bench{time.time_ns()}", "body": body, "token": token})
    before = Case.objects.count()
    sweep = subprocess.Popen(
        [sys.executable, "-m", "civicgrid", "sweep", "--every", "1"],
        env=ctx.env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with gunicorn(ctx.env, workers=ctx.workers, threads=2, log=ctx.log) as (base, _proc):
            cpu_before = cpu_seconds(_group)
            figures = run_wrk(base + "/api/v1/cases", seconds=ctx.seconds, connections=8, script=script)
            cpu_after = cpu_seconds(_group)
    finally:
        sweep.terminate()
        sweep.wait(timeout=30)
    made = Case.objects.count() - before
    return {
        "workers": ctx.workers,
        "threads": 2,
        "sweep_passes_before": sweep_passes,
        "requests": figures,
        "cases_made": made,
        "cases_per_second": made / figures["seconds"] if figures.get("seconds") else 0,
        # Every tenth request repeats a key: the cases made must be nine in ten of the answers.
        "replays_made_nothing": abs(made - figures["requests"] * 0.9) <= max(10, figures["requests"] * 0.01),
        # CPU milliseconds a case made, by group, over the timed window (processes that lived through it).
        "cpu_ms_per_case": {
            name: (cpu_after.get(name, 0.0) - cpu_before.get(name, 0.0)) * 1000 / made if made else 0.0
            for _key, name in GROUPS
        },
        "cores": os.cpu_count(),
    }
