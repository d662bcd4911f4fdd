"""The benchmark's own PostgreSQL database and the `civicgrid` processes that use it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def server_and_name(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base, name


def ensure_database(url: str, *, recreate: bool = False) -> None:
    import psycopg

    base, name = server_and_name(url)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and recreate:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')


def environment(url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """What a civicgrid process of the benchmark runs with: production-like, DEBUG off, its own var/."""
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "CIVICGRID_ENV": "development",
        "CIVICGRID_DEBUG": "0",
        "CIVICGRID_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        **extra,
    }
    env.pop("PYTEST_VERSION", None)
    return env


def civicgrid(env: dict, *args: str, timeout: float = 7200) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "civicgrid", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        raise RuntimeError(f"civicgrid {' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return done.stdout
