"""One scale of the peer: load N tickets (or reuse them), serve, log in, check the rows, run wrk."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

from bench.loadgen import run_wrk
from bench.peer_helpdesk import env, load, serve

DEFAULT_STATUSES = ("Open", "Reopened")  # helpdesk's list, unfiltered, shows these two
STATUS_IDS = {"open": 1, "reopened": 2, "resolved": 3, "closed": 4, "duplicate": 5}


def _page_path(statuses: tuple[str, ...] | None) -> str:
    if not statuses:
        return "/tickets/"
    return "/tickets/?" + "&".join(f"status={STATUS_IDS[s.lower()]}" for s in statuses)


def check_rows(opened: dict, *, queue_id: int | None, statuses: tuple[str, ...]) -> dict:
    """The answer really holds a full first page of the right tickets, before anything is timed."""
    rows, length = opened["rows"], opened["page_length"]
    problems = []
    if len(rows) != length:
        problems.append(f"{len(rows)} rows, not {length} (only {opened['records_filtered']} match)")
    if queue_id is not None and any(r["queue"]["id"] != queue_id for r in rows):
        problems.append("rows from queues outside the agent's")
    wanted = tuple(s.lower() for s in statuses)
    if any(not r["status"].lower().startswith(wanted) for r in rows):
        problems.append(f"statuses other than {statuses}: {sorted({r['status'] for r in rows})}")
    created = [r["created"] for r in rows]
    if created != sorted(created):
        problems.append("rows not in helpdesk's default order (created, oldest first)")
    if problems:
        raise RuntimeError("the ticket list would be timed on the wrong answer: " + "; ".join(problems))
    return {
        "rows": len(rows),
        "records_filtered": opened["records_filtered"],
        "records_total": opened["records_total"],
        "ids": [r["id"] for r in rows[:3]] + ["…"] + [r["id"] for r in rows[-2:]],
        "queues": sorted({r["queue"]["title"] for r in rows}),
        "statuses": sorted({r["status"] for r in rows}),
        "page_bytes": opened["page_bytes"],
        "data_bytes": opened["data_bytes"],
        "first_page_seconds": opened["first_page_seconds"],
        "first_data_seconds": opened["first_data_seconds"],
    }


def _queries(database: str, username: str, url: str) -> dict:
    path = url.split("://", 1)[1].split("/", 1)[1]
    done = subprocess.run(
        [str(env.python()), "queries.py", username, "/" + path],
        cwd=load.SITE, env=load.site_env(database), capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("QUERIES ")), None)
    if line is None:
        raise RuntimeError(f"could not capture helpdesk's queries:\n{done.stderr[-2000:]}")
    return json.loads(line[8:])


def measure(
    tickets: int,
    *,
    seconds: int,
    workers: int,
    threads: int,
    connections: int = 8,
    statuses: tuple[str, ...] | None = None,
    all_queues: bool = True,
    log: Path | None = None,
    progress=print,
) -> dict:
    """django-helpdesk's ticket list at `tickets` tickets: what an agent waits for to see 25 rows.

    `list` is the data request that brings the rows (the figure to compare with our case list),
    `page` the HTML page around it; `list_all_queues` the same data request for a superuser, who sees
    every queue. `statuses` filters as the list's status filter does (None: helpdesk's default list).
    gunicorn's output goes to `log` (var/bench/helpdesk-gunicorn.log unless given).
    """
    progress("  django-helpdesk's venv")
    versions = env.ensure(progress)
    facts = load.ensure(tickets, progress)
    database = facts["database"]
    shown = statuses or DEFAULT_STATUSES
    path = _page_path(statuses)
    result: dict = {
        "peer": "django-helpdesk",
        "versions": {k: versions[k] for k in ("helpdesk", "django", "python", "gunicorn", "psycopg")},
        "tickets": tickets,
        "data": facts,
        "view": {
            "user": facts["agent"],
            "scope": f"queue {facts['agent_queue']!r} by per-queue permission "
            f"({facts['agent_queue_tickets']:,} of {tickets:,} tickets)",
            "filter": f"status {' or '.join(shown)}" + ("" if statuses else " (helpdesk's default list)"),
            "order": "created, oldest first (helpdesk's default)",
            "page": path,
        },
        "wrk": {"seconds": seconds, "connections": connections, "threads": 2},
    }
    log = log or env.VENV.parent / "helpdesk-gunicorn.log"
    progress(f"  serving {database} with {workers} worker(s) x {threads} thread(s); its log: {log}")
    with serve.gunicorn(database, workers=workers, threads=threads, log=log) as (base, cmd):
        result["server"] = {"command": " ".join(cmd[1:]), "workers": workers, "threads": threads}
        agent = serve.login(base, facts["agent"], load.PASSWORD)
        opened = serve.open_list(base, agent, path)
        result["row_check"] = check_rows(opened, queue_id=facts["agent_queue_id"], statuses=shown)
        result["queries"] = _queries(database, facts["agent"], opened["data_url"])
        t0, before = time.monotonic(), os.getloadavg()[0]
        progress(f"  wrk: the list's data request for {facts['agent']}, {seconds} s")
        result["list"] = run_wrk(opened["data_url"], headers={"Cookie": agent}, seconds=seconds,
                                 connections=connections)  # fmt: skip
        progress(f"  wrk: the list page, {seconds} s")
        result["page"] = run_wrk(opened["page_url"], headers={"Cookie": agent}, seconds=seconds,
                                 connections=connections)  # fmt: skip
        if all_queues:
            admin = serve.login(base, "admin", load.PASSWORD)
            opened_all = serve.open_list(base, admin, path)
            result["row_check_all_queues"] = check_rows(opened_all, queue_id=None, statuses=shown)
            progress(f"  wrk: the list's data request for a superuser (every queue), {seconds} s")
            result["list_all_queues"] = run_wrk(opened_all["data_url"], headers={"Cookie": admin},
                                                seconds=seconds, connections=connections)  # fmt: skip
        result["wrk_wall_seconds"] = round(time.monotonic() - t0, 1)
        result["load_average"] = {"before": before, "after": os.getloadavg()[0], "cores": os.cpu_count()}
    for key in ("list", "page", "list_all_queues"):
        figures = result.get(key)
        if figures and figures["errors"]:
            raise RuntimeError(
                f"{key}: {figures['non_2xx']} answers outside 2xx, {figures['socket_errors']} socket errors:"
                " the run is not a measurement"
            )
    return result
