"""The product under gunicorn on loopback, as the benchmarks load it."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from bench.db import ROOT
from bench.loadgen import free_port, wait_for


@contextmanager
def gunicorn(env: dict, *, workers: int, threads: int = 1, log: Path | None = None):
    """Serve bench.wsgi (the product plus /bench/hello) and yield its base URL and the process."""
    port = free_port()
    cmd = [
        sys.executable, "-m", "gunicorn", "bench.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
        "--log-level", "warning", "--timeout", "120",
    ]  # fmt: skip
    out = open(log, "a") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    # Its own process group, so the workers go with the master even when it has to be killed.
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=out, stderr=out, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(f"{base}/bench/hello", 60)
        yield base, proc
    finally:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=20)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if log:
            out.close()


def cpu_seconds(match) -> dict[str, float]:
    """CPU seconds (user + system) so far of each process on this machine whose command line
    `match` names a group for ({group: seconds}): the servers run here, so what they spend on a
    timed window is the difference of two readings, whatever else the machine does."""
    groups: dict[str, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            group = match((proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            if group:
                groups[group] = groups.get(group, 0.0) + process_cpu(int(proc.name))
        except OSError:  # ended meanwhile
            continue
    return groups


def process_cpu(pid: int) -> float:
    """CPU seconds (user + system) process `pid` has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def worker_rss_mb(master: subprocess.Popen) -> list[float]:
    """Resident set of each gunicorn worker (children of the master), in MB."""
    children = Path(f"/proc/{master.pid}/task/{master.pid}/children")
    sizes = []
    for pid in children.read_text().split() if children.exists() else []:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def session_cookie(username: str) -> str:
    """A logged-in session for `username` in the benchmark database (the server shares its secret key)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    user = get_user_model().objects.get(username=username)
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
