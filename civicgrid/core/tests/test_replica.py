"""Reads served from a real PostgreSQL streaming replica while writes go to the primary.

The test makes its own pair of servers on spare ports (initdb a primary that allows replication,
pg_basebackup a standby from it, both started with pg_ctl), migrates the primary, and runs
`replica_probe.py` in a process configured with DATABASE_URL (primary) and CIVICGRID_REPLICA_URL
(replica). It runs in both halves of the suite: the servers it starts are its own.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup"), key=lambda p: int(p.parts[-3]))
    if not found:
        pytest.fail("PostgreSQL server binaries are not installed (/usr/lib/postgresql/*/bin)")
    return found[-1].parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run(cmd: list[str], **kwargs) -> subprocess.CompletedProcess:
    # PostgreSQL refuses to run as root; the machine's postgres account runs our servers then.
    if os.geteuid() == 0:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture(scope="module")
def streaming_pair():
    bin_dir = _pg_bin()
    top = Path(tempfile.mkdtemp(prefix="civicgrid-replica-", dir="/tmp"))
    top.chmod(0o755)
    primary, standby = top / "primary", top / "standby"
    if os.geteuid() == 0:
        shutil.chown(top, "postgres", "postgres")
    p1, p2 = _free_port(), _free_port()
    started = []
    try:
        _run([str(bin_dir / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8"])  # fmt: skip
        with open(primary / "postgresql.conf", "a") as conf:
            conf.write(
                f"port = {p1}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{top}'\n"
                "wal_level = replica\nmax_wal_senders = 4\nfsync = off\nsynchronous_commit = off\n"
            )
        with open(primary / "pg_hba.conf", "a") as hba:
            hba.write("host replication all 127.0.0.1/32 trust\n")
        _run([str(bin_dir / "pg_ctl"), "-D", str(primary), "-l", str(top / "primary.log"), "-w", "start"])
        started.append(primary)
        _run([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(p1), "-U", "postgres", "civicgrid"])
        _run([str(bin_dir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(p1), "-U", "postgres",
              "-D", str(standby), "-R", "-X", "stream", "-c", "fast"])  # fmt: skip
        with open(standby / "postgresql.conf", "a") as conf:
            conf.write(f"port = {p2}\nhot_standby = on\n")
        _run([str(bin_dir / "pg_ctl"), "-D", str(standby), "-l", str(top / "standby.log"), "-w", "start"])
        started.append(standby)
        yield {
            "primary": f"postgres://postgres@127.0.0.1:{p1}/civicgrid",
            "replica": f"postgres://postgres@127.0.0.1:{p2}/civicgrid",
        }
    finally:
        for data in reversed(started):
            subprocess.run(
                (["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else [])
                + [str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(top, ignore_errors=True)


def test_the_case_register_reads_from_the_replica_and_writes_reach_the_primary(streaming_pair, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": streaming_pair["primary"],
        "CIVICGRID_REPLICA_URL": streaming_pair["replica"],
        "CIVICGRID_VAR_DIR": str(tmp_path),
    }
    subprocess.run(
        [sys.executable, "-m", "civicgrid", "migrate", "--noinput"],
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )
    probe = Path(__file__).with_name("replica_probe.py")
    done = subprocess.run([sys.executable, str(probe)], env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    assert (seen["primary_in_recovery"], seen["replica_in_recovery"]) == (False, True)
    assert seen["replica_receiver"] == "streaming"
    assert seen["status"] == 200 and seen["title_on_page"]
    # The register's rows came from the standby; the primary answered only for the session and user.
    assert any('"cases_case"' in sql for sql in seen["replica_queries"])
    assert not any('FROM "cases_case"' in sql for sql in seen["primary_queries"])
    assert any('"django_session"' in sql for sql in seen["primary_queries"])
    # A write made while reads were routed landed on the primary.
    assert seen["comments_on_primary"] == 1
