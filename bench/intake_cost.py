"""What one API submission costs in-process on the last run's data: milliseconds and queries each,
through the whole middleware and API stack, one thread, no server and no load beside it. Compares
code versions where `make bench`'s intake figure is bound by the machine's load. Not part of its
figures; the cases it makes stay in the benchmark database, like the intake suite's.

    .venv/bin/python -m bench.intake_cost --scale small --n 200
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import time

from bench import db
from bench.run import _django
from bench.server import process_cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="county")
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--profile", type=int, default=0, help="also print the N costliest calls")
    parser.add_argument("--sort", default="cumulative", help="the profile's order: cumulative or tottime")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", f"postgres://postgres@127.0.0.1:5432/cg_bench_{args.scale}")
    _django(db.environment(url, db.ROOT / "var" / "bench" / args.scale))
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.suites.intake import _setup, submission

    token, house = _setup()
    body = submission(house)
    client = Client(HTTP_HOST="127.0.0.1")
    run = time.time_ns()

    def submit(i: int) -> None:
        headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"cost-{run}-{i}"}
        answer = client.post("/api/v1/cases", body, content_type="application/json", headers=headers)
        if answer.status_code != 201:
            raise SystemExit(f"submission {i} answered {answer.status_code}: {answer.content[:300]!r}")

    for i in range(20):  # warm: per-process caches and prepared statement texts
        submit(i)
    with CaptureQueriesContext(connection) as queries:
        submit(20)
    count = len(queries)  # now: the next request empties the connection's log
    backend = _backend_cpu(connection)
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(args.n):
        submit(100 + i)
    each = (time.perf_counter() - started) * 1000 / args.n
    ours = (time.process_time() - cpu) * 1000 / args.n
    theirs = (_backend_cpu(connection) - backend) * 1000 / args.n
    print(
        f"{args.n} submissions: {each:.1f} ms each, {count} queries (BEGIN and COMMIT included); "
        f"CPU each: {ours:.2f} ms here, {theirs:.2f} ms in the PostgreSQL backend"
    )
    if args.profile:
        profile = cProfile.Profile()
        profile.runcall(lambda: [submit(100 + args.n + i) for i in range(args.n)])
        pstats.Stats(profile).sort_stats(args.sort).print_stats(args.profile)


def _backend_cpu(connection) -> float:
    """CPU seconds the connection's PostgreSQL backend has used (the server is on this machine):
    unlike the wall time, it does not move with the load beside the run."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return process_cpu(cursor.fetchone()[0])


if __name__ == "__main__":
    main()
