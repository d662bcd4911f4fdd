"""N tickets in helpdesk's own tables, by COPY, in a database of their own for each N.

The queues and staff come from the site's prepare script (helpdesk's ORM and signals); tickets and
their follow-ups are generated here and copied in with foreign-key triggers off (the rows are made
valid), then the tables are vacuumed and analysed as a desk that has been running would be. Nothing is
added to helpdesk's schema: no index of ours, so its list runs on the indexes it ships.

What the desk looks like, from one seed: five years of tickets, more each year; twenty queues of
uneven size (a Zipf-like spread); each ticket's status by its age (most recent ones still open, a
stale backlog of old ones never closed, the rest resolved, closed or duplicates); two agents per queue,
closed tickets assigned, some open ones not yet; an "opened" follow-up for every ticket and one more
for each status change.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import random
import subprocess
import tempfile
import time
import uuid

import psycopg

from bench.peer_helpdesk import env

SERVER = "postgres://postgres@127.0.0.1:5432"
VERSION = 3  # of the generator: a database loaded by another version is loaded again
SEED = 1
END = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)  # a fixed "today", so a seed always gives the same desk
YEARS = 5
PASSWORD = "bench-pass-2026"  # noqa: S105 - the benchmark desk's logins, on loopback only
OFFICER_SHARE = 1 / 15  # the county has fifteen towns: the measured agent's queue holds about one in 15

OPEN, REOPENED, RESOLVED, CLOSED, DUPLICATE = 1, 2, 3, 4, 5
PRIORITIES = ([1, 2, 3, 4, 5], [3, 12, 60, 20, 5])
ISSUES = [
    "not collected for three days", "broken again", "needs repair", "reported twice already",
    "causing a hazard", "complaint from residents", "request for inspection", "no answer from the contractor",
]  # fmt: skip
HANDLED = "Handled on site; the resident was told by phone."
PLACES = ["Block", "Lane", "Building", "Court", "Estate", "Market", "Station Road", "Riverside"]


def database_for(tickets: int) -> str:
    size = {1_000: "1k", 10_000: "10k", 100_000: "100k", 1_000_000: "1m", 10_000_000: "10m"}
    return f"cg_bench_helpdesk_{size.get(tickets, str(tickets))}"


def site_env(database: str) -> dict:
    import os

    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))},
        "DJANGO_SETTINGS_MODULE": "settings",
        "HELPDESK_BENCH_DB": database,
        "PYTHONPATH": str(SITE),
    }


SITE = env.ROOT / "bench" / "peer_helpdesk" / "site"


def _site(database: str, *args: str) -> str:
    done = subprocess.run(
        [str(env.python()), *args], cwd=SITE, env=site_env(database), capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(f"helpdesk {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return done.stdout


def _marker(conn) -> dict | None:
    exists = conn.execute("SELECT to_regclass('cg_bench_load') IS NOT NULL").fetchone()[0]
    if not exists:
        return None
    row = conn.execute("SELECT facts FROM cg_bench_load").fetchone()
    return row[0] if row else None


def _row(*fields) -> str:
    """One line of COPY's text format (the generated texts hold no tab, newline or backslash)."""
    return "\t".join(
        r"\N" if f is None else ("t" if f else "f") if isinstance(f, bool) else str(f) for f in fields
    )


def _ts(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S+00")


def _queue_weights(n: int) -> list[float]:
    raw = [1 / (i + 1) ** 0.8 for i in range(n)]
    total = sum(raw)
    return [w / total for w in raw]


def _status(rng: random.Random, age_days: float) -> int:
    if rng.random() < 0.06 + 0.55 * math.exp(-age_days / 15):
        return OPEN if rng.random() < 0.9 else REOPENED
    roll = rng.random()
    return CLOSED if roll < 0.75 else RESOLVED if roll < 0.97 else DUPLICATE


def generate(tickets: int, prepared: dict, *, seed: int = SEED):
    """Yield (ticket line, [follow-up lines]) in COPY text format, oldest ticket first (id 1)."""
    rng = random.Random(seed)
    queues = prepared["queues"]
    agents: dict[int, list[int]] = {}
    for a in prepared["agents"]:
        agents.setdefault(a["queue"], []).append(a["id"])
    span = YEARS * 365 * 86400
    # Linear growth: density rises towards today, so x = sqrt(u) over the span.
    offsets = sorted(math.sqrt(rng.random()) * span for _ in range(tickets))
    picks = rng.choices(range(len(queues)), weights=_queue_weights(len(queues)), k=tickets)
    start = END - dt.timedelta(seconds=span)
    followup_id = 0
    for ticket_id, (offset, qi) in enumerate(zip(offsets, picks, strict=True), start=1):
        queue = queues[qi]
        created = start + dt.timedelta(seconds=offset)
        age = (END - created).total_seconds() / 86400
        status = _status(rng, age)
        priority = rng.choices(*PRIORITIES)[0]
        staff = agents[queue["id"]]
        assigned = rng.choice(staff) if status != OPEN or rng.random() < 0.7 else None
        place = f"{rng.choice(PLACES)} {rng.randrange(1, 400)}"
        title = f"{queue['title']}: {rng.choice(ISSUES)} at {place}"
        description = (
            f"Reported by a resident of {place}. {queue['title']} - {rng.choice(ISSUES)}. "
            f"Please send someone to look at it; the resident can be reached during the day. Ref {ticket_id}."
        )
        due = _ts(created + dt.timedelta(days=7)) if rng.random() < 0.3 else None
        events = [(created, "Ticket Opened", description[:120], None, None)]
        t = created
        if status != OPEN:
            t = min(END, t + dt.timedelta(hours=rng.uniform(1, 240)))
            closing = {REOPENED: RESOLVED, RESOLVED: RESOLVED, CLOSED: CLOSED, DUPLICATE: DUPLICATE}[status]
            label = {RESOLVED: "Resolved", CLOSED: "Closed", DUPLICATE: "Closed as duplicate"}[closing]
            events.append((t, label, HANDLED, closing, assigned))
        if status == REOPENED:
            t = min(END, t + dt.timedelta(hours=rng.uniform(1, 120)))
            events.append((t, "Reopened", "The resident says it is not fixed.", REOPENED, None))
        resolution = HANDLED if status in (RESOLVED, CLOSED) else None
        secret = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        line = _row(
            ticket_id, title, _ts(created), _ts(t), f"resident{rng.randrange(250_000)}@mail.example",
            status, False, description, resolution, priority, due, None, assigned, queue["id"], secret,
            None, None,
        )  # fmt: skip
        followups = []
        for when, ftitle, comment, new_status, user in events:
            followup_id += 1
            # public; no message id, time spent or e-mail recipients, as a follow-up made on the web
            row = _row(
                followup_id, _ts(when), ftitle, comment, True, new_status, ticket_id, user, None, None, None
            )
            followups.append(row)
        yield line, followups


TICKET_COLUMNS = (
    "id, title, created, modified, submitter_email, status, on_hold, description, resolution, priority, "
    "due_date, last_escalation, assigned_to_id, queue_id, secret_key, kbitem_id, merged_to_id"
)
FOLLOWUP_COLUMNS = (
    "id, date, title, comment, public, new_status, ticket_id, user_id, message_id, time_spent, "
    "email_recipients"
)


def _copy(conn, tickets: int, prepared: dict, progress) -> int:
    followups = 0
    batch: list[str] = []
    # Follow-ups wait in a file while the tickets stream in: one COPY at a time on a connection.
    with tempfile.TemporaryFile("w+") as spool, conn.cursor() as cur:
        cur.execute("SET session_replication_role = replica")  # the rows are valid: skip the FK triggers
        cur.execute("TRUNCATE helpdesk_ticket, helpdesk_followup RESTART IDENTITY CASCADE")
        with cur.copy(f"COPY helpdesk_ticket ({TICKET_COLUMNS}) FROM STDIN") as copy:
            for n, (line, flines) in enumerate(generate(tickets, prepared), start=1):
                batch.append(line)
                spool.writelines(f + "\n" for f in flines)
                followups += len(flines)
                if len(batch) >= 20_000:
                    copy.write("\n".join(batch) + "\n")
                    batch = []
                if n % 200_000 == 0:
                    progress(f"  {n:,} tickets")
            if batch:
                copy.write("\n".join(batch) + "\n")
        spool.seek(0)
        with cur.copy(f"COPY helpdesk_followup ({FOLLOWUP_COLUMNS}) FROM STDIN") as copy:
            while chunk := spool.read(1 << 20):
                copy.write(chunk)
        for table in ("helpdesk_ticket", "helpdesk_followup"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cur.execute("SET session_replication_role = DEFAULT")
    return followups


def _agent_queue(prepared: dict) -> dict:
    weights = _queue_weights(len(prepared["queues"]))
    best = min(range(len(weights)), key=lambda i: abs(weights[i] - OFFICER_SHARE))
    return prepared["queues"][best]


def ensure(tickets: int, progress=print) -> dict:
    """Make or reuse the database holding `tickets` tickets; return what is in it and how long it took."""
    database = database_for(tickets)
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
    with psycopg.connect(f"{SERVER}/{database}") as conn:
        facts = _marker(conn)
        if facts and facts.get("version") == VERSION and facts.get("tickets") == tickets:
            have = conn.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()[0]
            if have == tickets:
                return {**facts, "reused": True}
    t0 = time.monotonic()
    progress(f"  migrating {database}")
    _site(database, "-m", "django", "migrate", "--noinput")
    out = _site(database, "prepare.py", PASSWORD)
    prepared = json.loads(next(ln for ln in out.splitlines() if ln.startswith("PREPARED "))[9:])
    t_copy = time.monotonic()
    progress(f"  copying {tickets:,} tickets into {database}")
    with psycopg.connect(f"{SERVER}/{database}") as conn:
        conn.execute("DROP TABLE IF EXISTS cg_bench_load")
        followups = _copy(conn, tickets, prepared, progress)
    copy_seconds = time.monotonic() - t_copy
    with psycopg.connect(f"{SERVER}/{database}", autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) helpdesk_ticket")
        conn.execute("VACUUM (ANALYZE) helpdesk_followup")
        agent_queue = _agent_queue(prepared)
        in_queue = conn.execute(
            "SELECT count(*), count(*) FILTER (WHERE status IN (1, 2)) FROM helpdesk_ticket"
            " WHERE queue_id = %s",
            [agent_queue["id"]],
        ).fetchone()
        open_all = conn.execute("SELECT count(*) FROM helpdesk_ticket WHERE status IN (1, 2)").fetchone()[0]
        facts = {
            "version": VERSION,
            "seed": SEED,
            "database": database,
            "tickets": tickets,
            "followups": followups,
            "open_tickets": open_all,
            "queues": len(prepared["queues"]),
            "agent": next(a["username"] for a in prepared["agents"] if a["queue"] == agent_queue["id"]),
            "agent_queue": agent_queue["title"],
            "agent_queue_id": agent_queue["id"],
            "agent_queue_tickets": in_queue[0],
            "agent_queue_open": in_queue[1],
            "copy_seconds": round(copy_seconds, 1),
            "load_seconds": round(time.monotonic() - t0, 1),
            "loaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
        conn.execute("CREATE TABLE cg_bench_load (facts jsonb NOT NULL)")
        conn.execute("INSERT INTO cg_bench_load VALUES (%s)", [json.dumps(facts)])
    return {**facts, "reused": False}
