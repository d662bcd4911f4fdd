"""Millions of cases for the benchmark, made consistent in Python and loaded with PostgreSQL COPY.

The rows are what the product's services would have left behind (cases, their two deadlines, the
dispatch and the resolve event), spread over the demo county's grids and several years with a skewed
category mix; `rebuild_case_stats` then builds the roll-up from them, as it would after an import.
Run inside a Django process set up on the benchmark database.
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import json
import random
import time

HANDLERS = 40
CHUNK = 250_000  # rows per COPY batch: bounded memory at 10 M cases


def copy_rows(cursor, model, rows: list[dict]) -> int:
    """COPY rows (dicts by column) into the model's table; columns not given take the field's default."""
    if not rows:
        return 0
    first = rows[0]
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.column not in first)]
    columns = [f.column for f in fields]
    defaults = {}
    for f in fields:
        value = (
            f.get_default() if f.has_default() else ("" if f.empty_strings_allowed and not f.null else None)
        )
        defaults[f.column] = json.dumps(value) if f.get_internal_type() == "JSONField" else value
    with cursor.copy(f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[c] if c in row else defaults[c] for c in columns])
    return len(rows)


def _handlers():
    from civicgrid.accounts.models import User

    existing = list(User.objects.filter(username__startswith="bench_handler_").order_by("pk"))
    if len(existing) >= HANDLERS:
        return existing
    return User.objects.bulk_create(
        [User(username=f"bench_handler_{i}", password="!") for i in range(HANDLERS)]  # noqa: S106
    )


def generate(total: int, *, years: int, seed: int = 1, first_id: int = 1):
    """Yield (case, deadlines, assignment, event) dicts for `total` cases over the last `years` years."""
    from civicgrid.cases.models import Category
    from civicgrid.orgs.models import Organisation
    from civicgrid.territory.models import Territory

    rng = random.Random(seed)
    tz = dt.timezone(dt.timedelta(hours=8))
    today = dt.datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - dt.timedelta(days=365 * years)
    span = (today - start).total_seconds()
    categories = list(Category.objects.filter(active=True).order_by("pk").values_list("pk", flat=True))
    weights = [1 / (i + 1) ** 1.1 for i in range(len(categories))]  # a few categories carry most cases
    grids = list(
        Territory.objects.filter(level="grid").order_by("path").values_list("pk", "path", "parent_id")
    )
    if not grids:
        raise SystemExit("no grids: load the demo county first")
    departments = list(Organisation.objects.filter(kind="department").values_list("pk", flat=True))
    handlers = [u.pk for u in _handlers()]
    hour = dt.timedelta(hours=1)
    for n in range(total):
        case_id = first_id + n
        created = start + dt.timedelta(seconds=rng.random() * span)
        territory_id, path, community = rng.choice(grids)
        roll = rng.random()
        # Older cases are settled; the last weeks keep the open ones, as a live desk does.
        recent = (today - created).days < 30
        if recent:
            state = (
                "received"
                if roll < 0.2
                else "handling"
                if roll < 0.5
                else "resolved"
                if roll < 0.7
                else "closed"
            )
        else:
            state = "merged" if roll < 0.03 else "resolved" if roll < 0.08 else "closed"
        responded = created + hour * rng.uniform(0.2, 30) if state not in ("received", "merged") else None
        resolved = responded + hour * rng.uniform(2, 24 * 20) if state in ("resolved", "closed") else None
        dispatched = bool(departments) and rng.random() < 0.2
        rating = ""
        if state == "closed":
            r = rng.random()
            rating = "satisfied" if r < 0.8 else "basically" if r < 0.95 else "unsatisfied"
        tier = (
            "department"
            if dispatched
            else rng.choice(["grid", "grid", "grid", "community", "community", "town"])
        )
        department = rng.randrange(len(departments)) if dispatched else 0
        resolver = handlers[30 + department % 10] if dispatched else handlers[community % 30]
        yield (
            {
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
            },
            [
                {
                    "case_id": case_id,
                    "kind": kind,
                    "round": 1,
                    "tier": tier,
                    "due_at": created + limit,
                    "warn_at": created + limit - warn,
                    "met_at": met,
                    # As the product leaves them: a merged case's limits are cancelled, and a limit that
                    # passed unmet was already acted on by the sweep (one escalation per limit).
                    "cancelled_at": created if state == "merged" else None,
                    "breached_at": created + limit
                    if met is None and state != "merged" and created + limit < today
                    else None,
                    "warned_at": created + limit - warn
                    if state != "merged" and created + limit - warn < min(met or today, today)
                    else None,
                }
                for kind, limit, warn, met in (
                    ("respond", 24 * hour, 5 * hour, responded),
                    ("resolve", 15 * 24 * hour, 72 * hour, resolved),
                )
            ],
            {
                "case_id": case_id,
                "territory_path": path,
                "department_id": departments[department],
                "lead": True,
                "assigned_at": created + hour,
                "finished_at": resolved,
                "active": True,
            }
            if dispatched
            else None,
            {
                "case_id": case_id,
                "at": resolved,
                "actor_id": resolver,
                "action": "resolve",
                "from_state": "handling",
                "to_state": "resolved",
                "tier": tier,
                "note": "已办结",
                "public": True,
                "data": "{}",
            }
            if resolved
            else None,
        )


def load(total: int, *, years: int, seed: int = 1, progress=print) -> dict:
    """Add `total` cases (after any already there) by COPY, with indexes rebuilt once at the end."""
    from django.db import connection

    from civicgrid.cases.models import Case, CaseAssignment, CaseEvent, Deadline

    started = time.monotonic()
    models = (Case, Deadline, CaseAssignment, CaseEvent)
    tables = [m._meta.db_table for m in models]
    first_id = (Case.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    counts = dict.fromkeys(("cases", "deadlines", "dispatches", "events"), 0)
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
        rows = generate(total, years=years, seed=seed, first_id=first_id)
        while True:
            gc.disable()  # millions of small dicts: the collector would only rescan them
            batch = list(itertools.islice(rows, CHUNK))
            gc.enable()
            if not batch:
                break
            counts["cases"] += copy_rows(raw, Case, [b[0] for b in batch])
            counts["deadlines"] += copy_rows(raw, Deadline, [d for b in batch for d in b[1]])
            counts["dispatches"] += copy_rows(raw, CaseAssignment, [b[2] for b in batch if b[2]])
            counts["events"] += copy_rows(raw, CaseEvent, [b[3] for b in batch if b[3]])
            progress(f"  {counts['cases']:,} cases copied ({time.monotonic() - started:.0f} s)")
        progress("  rebuilding indexes")
        for _name, definition in indexes:
            c.execute(definition)
        for table in tables:
            c.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))"  # noqa: S608
            )
            c.execute(f"ANALYZE {table}")
        c.execute("SET session_replication_role = DEFAULT")
    counts["seconds"] = round(time.monotonic() - started, 1)
    return counts
