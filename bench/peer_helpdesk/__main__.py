"""Try the peer alone: `.venv/bin/python -m bench.peer_helpdesk --tickets 10000 --json out.json`."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench.peer_helpdesk import measure


def _line(name: str, f: dict) -> str:
    return (
        f"  {name:<16} {f['rps']:>9.1f} req/s   p50 {f['p50_ms']:>8.1f} ms   p90 {f['p90_ms']:>8.1f} ms   "
        f"p99 {f['p99_ms']:>8.1f} ms   {f['requests']:>7,} requests, {f['errors']} errors"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description="django-helpdesk's ticket list under wrk")
    parser.add_argument("--tickets", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=20, help="length of each wrk run")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads per worker")
    parser.add_argument("--connections", type=int, default=8, help="wrk connections")
    parser.add_argument("--status", action="append", help="filter the list by status (repeatable)")
    parser.add_argument("--no-all-queues", action="store_true", help="skip the superuser's list")
    parser.add_argument("--json", type=Path, help="write every figure here")
    parser.add_argument("--log", type=Path, help="gunicorn's output")
    args = parser.parse_args()
    result = measure(
        args.tickets,
        seconds=args.seconds,
        workers=args.workers,
        threads=args.threads,
        connections=args.connections,
        statuses=tuple(args.status) if args.status else None,
        all_queues=not args.no_all_queues,
        log=args.log,
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
    v, d = result["versions"], result["data"]
    print(f"django-helpdesk {v['helpdesk']}, Django {v['django']}, Python {v['python']}", end=", ")
    print(f"gunicorn {v['gunicorn']}")
    print(f"{d['tickets']:,} tickets in {d['database']} ({'reused' if d['reused'] else 'loaded'}; "
          f"load {d['load_seconds']} s), {result['view']['scope']}, {result['view']['filter']}")  # fmt: skip
    q = result["queries"]
    print(f"  rows checked: {result['row_check']['rows']} of {result['row_check']['records_filtered']:,}; "
          f"data request: {q['queries']} queries, {q['counts']} counts")  # fmt: skip
    for key in ("list", "page", "list_all_queues"):
        if key in result:
            print(_line(key, result[key]))


if __name__ == "__main__":
    main()
