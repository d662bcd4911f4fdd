"""Virtualenvs of the benchmarks' own tools (the peer, the load generator), made from PyPI under var/bench.

They never touch the product's venv: what only a benchmark needs lives in a venv of its own, made by
the benchmark that needs it. Each venv keeps a stamp (cg-bench.json) saying what was asked for, and
is remade when the request changes.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

STAMP = "cg-bench.json"


def run_quiet(cmd: list[str]) -> str:
    """Run quietly; on failure show what the command said (pip's own chatter otherwise hides it)."""
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed:\n{(done.stdout + done.stderr)[-3000:]}")
    return done.stdout


def python(venv: Path) -> Path:
    return venv / "bin" / "python"


def stamp(venv: Path) -> dict | None:
    """What the venv was made with, or None when it is missing or unfinished."""
    path = venv / STAMP
    if not path.exists() or not python(venv).exists():
        return None
    return json.loads(path.read_text())


def build(venv: Path, base: Path | str, requirements: list[str]) -> None:
    """Make `venv` afresh from the interpreter `base` with `requirements` (stamp it when it is checked).

    The venv's full `pip freeze` is kept beside it (cg-bench-freeze.txt), so a figure can be traced to
    every package that produced it.
    """
    if venv.exists():
        shutil.rmtree(venv)
    venv.parent.mkdir(parents=True, exist_ok=True)
    run_quiet([str(base), "-m", "venv", str(venv)])
    pip = [str(python(venv)), "-m", "pip", "--disable-pip-version-check", "-q"]
    run_quiet([*pip, "install", "--upgrade", "pip"])
    run_quiet([*pip, "install", *requirements])
    (venv / "cg-bench-freeze.txt").write_text(run_quiet([*pip, "freeze"]))


def write_stamp(venv: Path, made: dict) -> dict:
    (venv / STAMP).write_text(json.dumps(made, indent=2))
    return made
