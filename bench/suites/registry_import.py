"""Registry import: a CSV of residents through the product's import, against PostgreSQL's own COPY.

The import runs in a database of its own (`cg_bench_import`, recreated each run, so the county's data
is left alone), migrated and given a territory tree with one house per household of the file. The
file is deterministic: valid ID numbers (GB 11643 check characters) with matching gender and birth
date, phones, relations, residence and relocation types, some tags; three residents a household on
average, each household named by number, so the import also creates and audits the households.

Measured in the same run, on the same file:
- the baseline: `COPY` of the file into a bare table of text columns, streamed from this process;
- the import's write step (`importing.import_run`, what the worker runs once an import is confirmed:
  every row checked again, ID numbers and phones hashed and encrypted, everything written and
  audited), in a process of its own whose peak resident set is its `VmHWM`;
- the dry run (`importing.import_check`) beside it, for the record;
- the SQLite path, on a smaller file (the same generator, fewer rows), compared by rows a second.

    .venv/bin/python -m bench.run --scale county --reuse --only registry_import --no-docs
    BENCH_IMPORT_ROWS=50000 BENCH_IMPORT_SQLITE_ROWS=20000 ...   # a smaller file, while developing

The steps run as `python -m bench.suites.registry_import setup|check|write|floor`, each a process of
its own, so each one's peak memory is its own.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench import db

ROWS = 1_000_000
SQLITE_ROWS = 100_000
TARGET_RATIO = 3.0
TARGET_MB = 500
IMPORT_URL = os.environ.get("BENCH_IMPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cg_bench_import")
HEADER = ["门牌编码", "户号", "与户主关系", "姓名", "性别", "出生日期", "民族", "身份证号", "联系电话"]
HEADER += ["居住类型", "搬迁类型", "标签"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华"
RELATIONS = ["户主", "配偶", "子女", "子女", "父母", "孙子女"]
UNITS_PER_GRID = 20
GRIDS_PER_COMMUNITY = 5
COMMUNITIES = 10


def _id_number(i: int) -> str:
    from civicgrid.core import idcard

    # (birth day, sequence) is a bijection of i below 30 M rows, so every number is distinct.
    born = dt.date(1940, 1, 1) + dt.timedelta(days=i % 30000)
    first17 = f"330102{born:%Y%m%d}{i // 30000:03d}"
    return first17 + idcard.check_char(first17)


def households(rows: int):
    """(household index, member count) until `rows` residents: 1 to 5 members, 3 on average."""
    done, h = 0, 0
    while done < rows:
        size = min(1 + (h * 7) % 5, rows - done)
        yield h, size
        done += size
        h += 1


def write_csv(path: Path, rows: int) -> int:
    """The file, deterministic for a row count; returns the number of households (and houses)."""
    i = 0
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(HEADER)
        for h, size in households(rows):
            for m in range(size):
                number = _id_number(i)
                male = int(number[16]) % 2 == 1
                residence = ("户籍", "户籍", "户籍", "流动", "搬迁")[h % 5]
                tags = "低保户" if h % 23 == 0 else ("留守儿童" if i % 41 == 0 else "")
                out.writerow(
                    [
                        f"HB{h:08d}",
                        f"BH{h:08d}",
                        RELATIONS[min(m, len(RELATIONS) - 1)],
                        SURNAMES[h % 20] + GIVEN[i % 23] + (GIVEN[(i // 23) % 23] if i % 3 else ""),
                        "男" if male else "女",
                        f"{number[6:10]}-{number[10:12]}-{number[12:14]}",
                        "汉族" if i % 10 else "苗族",
                        number,
                        f"13{i % 10}{i:08d}" if i % 4 else "",
                        residence,
                        "生态移民" if residence == "搬迁" else "",
                        tags,
                    ]
                )
                i += 1
    return h + 1


def _setup(houses: int) -> None:
    """The tree (county, towns, communities, grids, units) through the service, then the houses."""
    from civicgrid.accounts.models import User
    from civicgrid.core import clock
    from civicgrid.registry.models import House
    from civicgrid.territory import services as t
    from civicgrid.territory.models import Level

    county = t.territory_create(actor=None, level=Level.COUNTY, code="330102000000", name="导入县")
    units = []
    for c in range(COMMUNITIES):
        town = t.territory_create(
            actor=None, level=Level.TOWN, code=f"330102{c + 1:03d}000", name=f"镇{c + 1}", parent=county
        )
        community = t.territory_create(
            actor=None, level=Level.COMMUNITY, code=f"330102{c + 1:03d}001", name=f"社区{c + 1}", parent=town
        )
        for g in range(GRIDS_PER_COMMUNITY):
            grid = t.territory_create(actor=None, level=Level.GRID, name=f"网格{g + 1}", parent=community)
            for u in range(UNITS_PER_GRID):
                unit = t.territory_create(actor=None, level=Level.UNIT, name=f"单元{u + 1}", parent=grid)
                units.append(unit)
    now = clock.now()
    batch = []
    for h in range(houses):
        unit = units[h % len(units)]
        batch.append(
            House(
                unit=unit,
                territory_path=unit.path,
                house_code=f"HB{h:08d}",
                address=f"{unit.name}{h}号",
                created_at=now,
                updated_at=now,
            )
        )
        if len(batch) == 10000:
            House.objects.bulk_create(batch)
            batch = []
    House.objects.bulk_create(batch)
    User.objects.create_user(username="bench_import", password=None)


def _floor(path: Path) -> float:
    """Seconds to hash and encrypt the file's ID numbers and phones and nothing else: what no import
    that keeps them encrypted and findable can go below, whatever writes the rows."""
    from civicgrid.core.protected import blind_index, encrypt

    with path.open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        pairs = [(r[7], r[8]) for r in rows]
    t0 = time.perf_counter()
    for number, phone in pairs:
        blind_index("id_number", number)
        encrypt(number)
        if phone:
            blind_index("phone", phone)
            encrypt(phone)
    return time.perf_counter() - t0


def _child(args) -> None:
    import django

    django.setup()
    from django.core.files import File

    from civicgrid.accounts.models import User
    from civicgrid.registry import importing
    from civicgrid.registry.models import ImportJob, ImportStatus, Resident
    from civicgrid.territory.models import Territory

    out: dict = {}
    t0 = time.perf_counter()
    if args.step == "setup":
        _setup(write_csv(Path(args.csv), args.rows))
    elif args.step == "check":
        actor = User.objects.get(username="bench_import")
        with open(args.csv, "rb") as f:
            job = importing.import_upload(
                actor=actor,
                territory=Territory.objects.get(code="330102000000"),
                upload=File(f, name="residents.csv"),
                all_or_nothing=True,
            )
        t0 = time.perf_counter()
        job = importing.import_check(job)
        out.update(job=job.pk, status=job.status, total=job.total_rows, valid=job.valid_rows)
        out["errors"] = job.errors[:5]
    elif args.step == "floor":
        out["seconds"] = _floor(Path(args.csv))
    else:
        job = ImportJob.objects.get(pk=args.job)
        job = importing.import_run(job, User.objects.get(username="bench_import"))
        out.update(status=job.status, created=job.created_rows, message=job.message, errors=job.errors[:5])
        out["ok"] = job.status == ImportStatus.DONE and Resident.objects.count() == args.rows
    out.setdefault("seconds", time.perf_counter() - t0)
    out["peak_mb"] = _peak_mb()
    print(json.dumps(out))


def _peak_mb() -> float:
    """This process's own peak resident set (VmHWM). `ru_maxrss` would not do: Linux carries it over
    an exec from the forking parent, so every step reported the bench runner's own peak."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_child(env: dict, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "bench.suites.registry_import", *args],
        env=env,
        cwd=db.ROOT,
        capture_output=True,
        text=True,
        timeout=7200,
    )
    if done.returncode != 0:
        raise RuntimeError(f"registry import {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _copy_baseline(url: str, path: Path) -> float:
    """COPY of the same file into a bare table of text columns, streamed as the import reads it."""
    import psycopg

    cols = ", ".join(f"c{i} text" for i in range(len(HEADER)))
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_bare_import")
        conn.execute(f"CREATE TABLE bench_bare_import ({cols})")
        t0 = time.perf_counter()
        with (
            conn.cursor() as cur,
            path.open("rb") as f,
            cur.copy("COPY bench_bare_import FROM STDIN WITH (FORMAT csv, HEADER true)") as copy,
        ):
            while chunk := f.read(1 << 20):
                copy.write(chunk)
        seconds = time.perf_counter() - t0
        rows = conn.execute("SELECT count(*) FROM bench_bare_import").fetchone()[0]
        conn.execute("DROP TABLE bench_bare_import")
    return seconds if rows else float("nan")


def _measure(env: dict, path: Path, rows: int) -> dict:
    _run_child(env, "setup", "--rows", str(rows), "--csv", str(path))
    check = _run_child(env, "check", "--rows", str(rows), "--csv", str(path))
    write = _run_child(env, "write", "--rows", str(rows), "--job", str(check["job"]))
    floor = _run_child(env, "floor", "--rows", str(rows), "--csv", str(path))
    return {
        "rows": rows,
        "file_mb": round(path.stat().st_size / 2**20, 1),
        "check": check,
        "write": write,
        "crypto_seconds": floor["seconds"],
    }


def run(ctx) -> dict:
    rows = int(os.environ.get("BENCH_IMPORT_ROWS", ROWS))
    sqlite_rows = min(rows, int(os.environ.get("BENCH_IMPORT_SQLITE_ROWS", SQLITE_ROWS)))
    work = ctx.var / "import"
    work.mkdir(parents=True, exist_ok=True)
    # PostgreSQL: a fresh database, migrated.
    db.ensure_database(IMPORT_URL, recreate=True)
    env = db.environment(IMPORT_URL, work / "pg")
    db.civicgrid(env, "migrate", "--noinput")
    path = work / f"residents-{rows}.csv"
    pg = _measure(env, path, rows)
    copies = [_copy_baseline(IMPORT_URL, path) for _ in range(2)]
    pg["copy_seconds"] = min(copies)  # the faster of two: the baseline is not flattered by noise
    pg["ratio"] = pg["write"]["seconds"] / pg["copy_seconds"]
    # SQLite: the product's embedded database, in a var/ of its own.
    lite_var = work / "sqlite"
    lite_var.mkdir(parents=True, exist_ok=True)
    (lite_var / "civicgrid.sqlite3").unlink(missing_ok=True)
    lite_env = {k: v for k, v in db.environment("", lite_var).items() if k != "DATABASE_URL"}
    db.civicgrid(lite_env, "migrate", "--noinput")
    lite_path = work / f"residents-{sqlite_rows}.csv"
    lite = _measure(lite_env, lite_path, sqlite_rows)
    lite["rows_per_second"] = sqlite_rows / lite["write"]["seconds"]
    pg["rows_per_second"] = rows / pg["write"]["seconds"]
    db.ensure_database(IMPORT_URL, recreate=True)  # the imported people are not kept
    path.unlink()
    lite_path.unlink()
    (lite_var / "civicgrid.sqlite3").unlink()
    return {
        "postgresql": pg,
        "sqlite": lite,
        "sqlite_ratio": pg["rows_per_second"] / lite["rows_per_second"],
    }


def _slower(ratio: float) -> str:
    return f"{ratio:.2f}× slower" if ratio >= 1 else f"{1 / ratio:.2f}× faster"


def _met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def section(result: dict) -> list[str]:
    pg, lite = result["postgresql"], result["sqlite"]
    w = pg["write"]
    lines = [
        "## Registry import",
        "",
        f"A CSV of {pg['rows']:,} residents ({pg['file_mb']} MB, valid GB 11643 ID numbers, phones, "
        "tags, three residents a household) imported into a fresh database through the product's "
        "import (`importing.import_run`: every row checked, ID numbers and phones hashed and "
        "encrypted, residents, households, history, tags and audit records written, COPY on "
        "PostgreSQL), against PostgreSQL's own `COPY` of the same file into a bare table of text "
        "columns, in the same run.",
        "",
        "| measure | figure | baseline | ratio | target | |",
        "|---|---|---|---|---|---|",
        f"| import (write step), PostgreSQL | {w['seconds']:.1f} s ({pg['rows_per_second']:,.0f} rows/s) "
        f"| COPY {pg['copy_seconds']:.1f} s | {pg['ratio']:.1f}× | ≤ {TARGET_RATIO:.0f}× "
        f"| {_met(pg['ratio'] <= TARGET_RATIO and w['ok'])} |",
        f"| peak memory of the import process | {w['peak_mb']:.0f} MB | | | < {TARGET_MB} MB "
        f"| {_met(w['peak_mb'] < TARGET_MB)} |",
        f"| dry run (check only), PostgreSQL | {pg['check']['seconds']:.1f} s, "
        f"peak {pg['check']['peak_mb']:.0f} MB | COPY {pg['copy_seconds']:.1f} s "
        f"| {pg['check']['seconds'] / pg['copy_seconds']:.1f}× | | |",
        f"| dry run + write (upload to done), PostgreSQL | {pg['check']['seconds'] + w['seconds']:.1f} s "
        f"| COPY {pg['copy_seconds']:.1f} s "
        f"| {(pg['check']['seconds'] + w['seconds']) / pg['copy_seconds']:.1f}× | | |",
        f"| hashing and encrypting the file's ID numbers and phones alone | {pg['crypto_seconds']:.1f} s "
        f"| COPY {pg['copy_seconds']:.1f} s | {pg['crypto_seconds'] / pg['copy_seconds']:.1f}× | | |",
        f"| import (write step), SQLite, {lite['rows']:,} rows | {lite['write']['seconds']:.1f} s "
        f"({lite['rows_per_second']:,.0f} rows/s), peak {lite['write']['peak_mb']:.0f} MB "
        f"| PostgreSQL {pg['rows_per_second']:,.0f} rows/s | {_slower(result['sqlite_ratio'])} "
        f"| ≤ 3× | {_met(result['sqlite_ratio'] <= 3 and lite['write']['ok'])} |",
        "",
        f"SQLite is measured on {lite['rows']:,} rows of the same generator and compared by rows a "
        "second, not on the full file; its rate at the full size is not claimed. The dry run, the "
        f"same Python checks on both, ran {pg['rows'] / pg['check']['seconds']:,.0f} rows/s on "
        f"PostgreSQL at {pg['rows']:,} rows and {lite['rows'] / lite['check']['seconds']:,.0f} on "
        "SQLite at the smaller size, so part of the difference is the size and the load of the "
        "shared machine at that moment, not the database.",
    ]
    if pg["ratio"] > TARGET_RATIO:
        lines += [
            "",
            f"Why the ratio is missed: the target is below what the encryption alone costs. Hashing and "
            f"encrypting the file's ID numbers and phones (HMAC-SHA256 and Fernet, in Python, on one "
            f"core), with nothing else, takes {pg['crypto_seconds'] / pg['copy_seconds']:.0f}× the "
            "COPY; the import does that, checks every row in Python (ID number format, birth date "
            "and check character, every field rule, the house, tags, duplicates, people and "
            "household numbers held elsewhere), and writes five tables with their indexes and "
            "foreign keys, where COPY parses text into one bare table.",
        ]
    return [*lines, ""]


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["setup", "check", "write", "floor"])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--csv", default="")
    parser.add_argument("--job", type=int, default=0)
    _child(parser.parse_args())
