"""docs/benchmarks.md from a run's results: every figure beside its baseline, its ratio and its target."""

from __future__ import annotations

import datetime as dt
import importlib


def _ok(met: bool | None) -> str:
    return "—" if met is None else ("met" if met else "**missed**")


def _n(x, digits: int = 0) -> str:
    return "—" if x is None else f"{x:,.{digits}f}"


def _register(results: dict) -> list[str]:
    steps = results.get("steps", [])
    if not steps:
        return []
    out = [
        "## Case register (a town officer's scoped, filtered list of 25 rows)",
        "",
        f"`{steps[0]['path']}` as the demo's `town_officer`, against `/bench/hello` (a bare Django view) on",
        f"the same gunicorn ({steps[0]['workers']} sync workers), wrk with 8 connections for {results['seconds']} s each.",
        "The logged-in hello (`/bench/hello-user`) reads the session and loads the user and nothing else:",
        "the floor under every staff page.",
        "",
        "| cases | rows | queries | unbounded COUNT(*) | hello req/s | logged-in hello req/s | list req/s "
        "| ratio (≥ 0.25) | list p50 ms | list p99 ms (< 50) | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in steps:
        h, lst = s["hello"], s["list"]
        errors = lst.get("non_2xx", 0) + lst.get("socket_errors", 0)
        out.append(
            f"| {s['cases']:,} | {s['rows']} | {s['queries']} | {len(s['unbounded_counts'])} | {_n(h['rps'])} "
            f"| {_n(s.get('hello_user', {}).get('rps'))} | {_n(lst['rps'])} | {s['ratio']:.2f} {_ok(s['ratio'] >= 0.25)} | {_n(lst['p50_ms'], 1)} "
            f"| {_n(lst['p99_ms'], 1)} {_ok(lst['p99_ms'] < 50)} | {errors} |"
        )
    queries = {s["queries"] for s in steps}
    first, last = steps[0], steps[-1]
    cpu = last.get("cpu_ms")
    floor = last.get("hello_user", {}).get("rps")
    why = []
    if cpu:
        why.append(
            f"- CPU per request in-process at {last['cases']:,} cases (least of 5 rounds of 20): bare hello "
            f"{cpu['hello']} ms, logged-in hello {cpu['hello_user']} ms, register {cpu['list']} ms."
        )
    if floor and last["hello"]["rps"]:
        share = floor / last["hello"]["rps"]
        why.append(
            f"- The logged-in hello alone, which reads the session and the user and renders nothing, runs at "
            f"{share:.2f} of the bare hello{' (itself under the 0.25 target)' if share < 0.25 else ''}; "
            f"the register runs at {last['list']['rps'] / floor:.2f} of the logged-in hello."
        )
    slowdown = first["list"]["rps"] / last["list"]["rps"] if last["list"]["rps"] else None
    out += [
        "",
        f"- Queries per page: {', '.join(str(s['queries']) for s in steps)} "
        f"({'the same at every size' if len(queries) == 1 else '**not the same at every size**'}).",
        f"- Slowdown from {first['cases']:,} to {last['cases']:,} cases (req/s there ÷ req/s here): "
        f"{_n(slowdown, 2)}× (target ≤ 1.5×: {_ok(slowdown is not None and slowdown <= 1.5)}).",
        *why,
        "",
    ]
    return out


def _peer(results: dict) -> list[str]:
    peer = results.get("peer")
    if not peer:
        return []
    ours = {s["cases"]: s["list"]["rps"] for s in results.get("steps", [])}
    first = peer[0]
    out = [
        "## Peer, side by side: django-helpdesk's ticket list",
        "",
        f"django-helpdesk {first.get('versions', {}).get('helpdesk', '?')} on Django "
        f"{first.get('versions', {}).get('django', '?')}, in its own environment, same gunicorn settings,",
        "loaded with as many tickets as we have cases; what is timed is described in bench/peer_helpdesk/README.md.",
        "",
        "| tickets = cases | helpdesk list req/s | helpdesk p99 ms | our list req/s | ours ÷ theirs |",
        "|---:|---:|---:|---:|---:|",
    ]
    for p in peer:
        theirs = p.get("list", {})
        mine = ours.get(p["tickets"])
        ratio = mine / theirs["rps"] if mine and theirs.get("rps") else None
        out.append(
            f"| {p['tickets']:,} | {_n(theirs.get('rps'), 1)} | {_n(theirs.get('p99_ms'), 0)} | {_n(mine)} "
            f"| {_n(ratio, 1)}× |"
        )
    last = peer[-1]
    mine, theirs = ours.get(last["tickets"]), last.get("list", {}).get("rps")
    ratio = mine / theirs if mine and theirs else None
    out += [
        "",
        f"- At {last['tickets']:,}: {_n(ratio, 1)}× (target ≥ 100×: {_ok(ratio is not None and ratio >= 100)}).",
        "",
    ]
    return out


def _dashboard(results: dict) -> list[str]:
    d = results.get("dashboard")
    if not d:
        return []
    ok = d["rollup_ms"]["p95"] < 100
    return [
        "## Three-rates dashboard (every town and every department, one year)",
        "",
        f"Period {d['period']}: {d['received']:,} cases received, {d['towns']} towns, {d['departments']} departments.",
        "",
        "| reading | p50 ms | p95 ms | runs |",
        "|---|---:|---:|---:|",
        f"| from the roll-up (both tables of the page) | {d['rollup_ms']['p50']:.1f} | {d['rollup_ms']['p95']:.1f} "
        f"| {d['rollup_ms']['runs']} |",
        f"| baseline: plain SQL aggregate over the raw rows (towns only) | {d['raw_ms']['p50']:.0f} "
        f"| {d['raw_ms']['p95']:.0f} | {d['raw_ms']['runs']} |",
        "",
        f"- p95 under 100 ms: {_ok(ok)}.",
        f"- Figures compared with the raw aggregate, town by town, ten counters each: "
        f"{'identical' if not d['mismatches'] else '**' + str(len(d['mismatches'])) + ' differ**: ' + '; '.join(d['mismatches'][:5])}.",
        "",
    ]


def _intake(results: dict) -> list[str]:
    i = results.get("intake")
    if not i:
        return []
    r = i["requests"]
    return [
        "## Case intake through the API, with the sweep running",
        "",
        "POST /api/v1/cases with an Idempotency-Key (every tenth a repeat of the one before), wrk, 8 connections,",
        f"{results['seconds']} s, gunicorn {i['workers']} workers × {i['threads']} threads, `civicgrid sweep --every 1` beside it.",
        *(
            [
                f"Before the timed window the sweep ran to idle ({i['sweep_passes_before']} passes): deadlines that fell "
                "due while the data was made are a backlog a running deployment would not have."
            ]
            if "sweep_passes_before" in i
            else []
        ),
        "",
        "| cases made | per second (≥ 200) | answers/s | p50 ms | p99 ms | errors | repeats made no case |",
        "|---:|---:|---:|---:|---:|---:|---|",
        f"| {i['cases_made']:,} | {i['cases_per_second']:.0f} {_ok(i['cases_per_second'] >= 200)} | {_n(r['rps'])} "
        f"| {_n(r['p50_ms'], 0)} | {_n(r['p99_ms'], 0)} | {r.get('non_2xx', 0) + r.get('socket_errors', 0)} "
        f"| {'yes' if i['replays_made_nothing'] else '**no**'} |",
        "",
        *_intake_cpu(i),
    ]


def _intake_cpu(i: dict) -> list[str]:
    """Where a case's CPU went in the window, and the rate those costs allow on this machine's cores."""
    cpu = i.get("cpu_ms_per_case")
    if not cpu:
        return []
    total = sum(cpu.values())
    ceiling = i["cores"] * 1000 / total if total else 0
    return [
        f"- CPU a case made, in the timed window: web workers {cpu['web']:.1f} ms, PostgreSQL "
        f"{cpu['database']:.1f} ms, the sweep {cpu['sweep']:.2f} ms; {total:.1f} ms in all. On "
        f"{i['cores']} cores, with nothing else running, that allows at most {ceiling:.0f} cases a "
        f"second; 200 would need {i['cores'] * 1000 / 200:.0f} ms a case, load generator included.",
        "",
    ]


def render(results: dict) -> str:
    m, size = results["machine"], results["sizes"]
    data = results.get("data", {})
    loads = data.get("case_loads", [])
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (`.venv/bin/python -m bench.run`); the figures below are that command's output,",
        "not edited. Every target is a ratio to a baseline measured in the same run, or a percentile shown",
        "beside its baseline, because this machine is shared and noisy.",
        "",
        f"Measured {dt.date.today().isoformat()}, scale `{results['scale']}`: "
        f"`.venv/bin/python -m bench.run --scale {results['scale']}`",
        *(
            [
                f"(then, on the same data, measured again: {', '.join(results['merged'])}, with "
                f"`--reuse --merge --only {','.join(results['merged'])}`)"
            ]
            if results.get("merged")
            else []
        ),
        # Conditions of the run the figures cannot show, given with `--note` by whoever ran it.
        *([""] + [f"Note on this run: {note}" for note in results["notes"]] if results.get("notes") else []),
        "",
        "## Machine and data",
        "",
        f"- {m['cores']} cores ({m['cpu']}), {m['memory_gb']} GB; {m['os']}",
        f"- Python {m['python']}, Django {m['django']}, PostgreSQL {m['postgresql']}"
        + (f", autovacuum {m['autovacuum']}" if "autovacuum" in m else ""),
        f"- {size['residents']:,} residents in {size['households']:,} households and {size['grids']:,} grids; "
        f"{size['cases']:,} cases; {size['rollup_rows']:,} roll-up rows",
    ]
    if "demo_seconds" in data:
        lines.append(f"- Demo county (people) loaded in {data['demo_seconds']} s")
    for load in loads:
        lines.append(f"- Cases copied up to {load['to']:,} in {load['seconds']} s")
    if "rebuild" in data:
        lines.append(f"- `rebuild_case_stats` over all cases: {data['rebuild']['seconds']} s")
        if "vacuum_seconds" in data["rebuild"]:
            lines.append(
                f"- its VACUUM of the rows it replaced, after it commits: {data['rebuild']['vacuum_seconds']} s"
            )
    lines.append("")
    for part in (_register, _peer, _dashboard, _intake):
        lines += part(results)
    from bench.run import FINAL_SUITES

    missing = []
    for name in FINAL_SUITES:
        if name in results:
            lines += importlib.import_module(f"bench.suites.{name}").section(results[name])
        else:
            missing.append(name.replace("_", " "))
    if missing:
        lines += [
            "## Not measured in this run",
            "",
            f"Left out of this run, so nothing is claimed for them here: {', '.join(missing)}.",
            "",
        ]
    return "\n".join(lines)
