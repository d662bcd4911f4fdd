"""Rough intake speed: cases per second taken in through the REST API on PostgreSQL (not a test).

Recreates the database (default cg_intake_bench) on the local server, migrates it, builds the test
world (a county with one community), starts `civicgrid runserver` on 127.0.0.1 and `civicgrid sweep
--every 1` beside it, then POSTs /api/v1/cases from a few client threads, each request with its own
Idempotency-Key and every tenth one a retry of the previous key (which must answer 200 and make no
case). Bounded: at most --requests requests and --seconds seconds. Prints cases/second.

    .venv/bin/python scripts/bench_intake.py --requests 2000 --seconds 30 --clients 4
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SETUP = """
import json
from civicgrid.accounts.tokens import token_create
from civicgrid.testing import build_world
world = build_world()
_, raw = token_create(actor=None, user=world.grid_worker_a, name="bench")
print("BENCH " + json.dumps({"token": raw, "house": world.households["a"].house.house_code}))
"""


def _run(env, *args) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "civicgrid", *args], env=env, cwd=ROOT, capture_output=True, text=True
    )
    if done.returncode:
        sys.exit(f"civicgrid {args[0]} failed:\n{done.stderr[-2000:]}")
    return done.stdout


def _recreate(server: str, name: str) -> None:
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2).read()  # noqa: S310 - our own server on 127.0.0.1
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    sys.exit(f"the server did not answer at {url}")


def _post(url: str, token: str, key: str, body: bytes) -> tuple[int, float]:
    request = urllib.request.Request(  # noqa: S310 - our own server on 127.0.0.1
        url,
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="cg_intake_bench")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--clients", type=int, default=4)
    args = parser.parse_args()
    args.requests = min(args.requests, 5000)  # bounded, whatever is asked
    args.seconds = min(args.seconds, 120)

    _recreate(args.server, args.database)
    var = tempfile.mkdtemp(prefix="cg-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": f"{args.server}/{args.database}",
        "CIVICGRID_ENV": "development",
        "CIVICGRID_DEBUG": "0",
        "CIVICGRID_VAR_DIR": var,
    }
    env.pop("PYTEST_VERSION", None)
    print("== migrating and building the test world")
    _run(env, "migrate", "--noinput")
    line = next(x for x in _run(env, "shell", "-c", SETUP).splitlines() if x.startswith("BENCH "))
    setup = json.loads(line.removeprefix("BENCH "))

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "civicgrid", "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sweep_log = Path(var) / "sweep.log"
    with open(sweep_log, "w") as log:
        sweep = subprocess.Popen(
            [sys.executable, "-m", "civicgrid", "sweep", "--every", "1"], env=env, cwd=ROOT, stdout=log
        )
    try:
        _wait_for(f"{base}/api/v1/openapi.json", 30)
        body = json.dumps(
            {
                "channel": "hotline_12345",
                "category": "sanitation",
                "description": "楼下垃圾桶满了，三天没有清运",
                "house_code": setup["house"],
                "reporter_name": "王先生",
                "reporter_phone": "13812345678",
            }
        ).encode()
        lock = threading.Lock()
        counter = iter(range(args.requests))
        results: list[tuple[int, float, bool]] = []
        stop_at = time.monotonic() + args.seconds

        def client() -> None:
            while time.monotonic() < stop_at:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return
                retry = i % 10 == 9  # a client that did not hear the answer and sends again
                key = f"bench-{i - 1 if retry else i}"
                status, took = _post(f"{base}/api/v1/cases", setup["token"], key, body)
                with lock:
                    results.append((status, took, retry))

        print(f"== {args.clients} clients, at most {args.requests} requests or {args.seconds:.0f} s")
        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        sweep.terminate()
        server.wait(timeout=10)
        sweep.wait(timeout=10)

    created = sum(1 for s, _, _ in results if s == 201)
    replayed = sum(1 for s, _, r in results if s == 200 and r)
    failed = [s for s, _, _ in results if s not in (200, 201)]
    latencies = sorted(t for _, t, _ in results)
    with psycopg.connect(f"{args.server}/{args.database}") as conn:
        in_db = conn.execute("SELECT COUNT(*) FROM cases_case").fetchone()[0]
    print(f"requests: {len(results)} in {elapsed:.1f} s ({len(results) / elapsed:.0f}/s)")
    print(f"created: {created}, retries answered 200: {replayed}, other answers: {len(failed)} {set(failed)}")
    p50, p95 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.95)]
    print(f"latency p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms")
    print(f"cases in the database: {in_db} (one per key: {in_db == created})")
    print(f"sweep log: {sweep_log.read_text().strip()[-200:] or '(nothing was due)'}")
    print(f"INTAKE {created / elapsed:.0f} cases/second")
    if failed or in_db != created:
        sys.exit(1)


if __name__ == "__main__":
    main()
