"""django-helpdesk's own virtualenv, made from PyPI with a pyenv Python its release declares.

The Python and the Django series are read from the wheel's METADATA (Requires-Python and the
"Programming Language :: Python :: X.Y" / "Framework :: Django :: X.Y" classifiers), so the peer runs on
what its maintainers say they support, not on whatever is newest. gunicorn is the version our own
venv serves with, so both sides run the same server.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

from bench import venvs
from bench.venvs import run_quiet as _run

ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / "var" / "bench" / "helpdesk-venv"
HELPDESK = "2.6.1"  # the newest release when this benchmark was written
PSYCOPG = "3.3.9"  # as ours
GUNICORN_FALLBACK = "27.0.1"


def _metadata() -> dict:
    """Requires-Python and the supported Python and Django series, from the release's wheel."""
    with tempfile.TemporaryDirectory(prefix="cg-helpdesk-") as tmp:
        _run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q",
              "-d", tmp, f"django-helpdesk=={HELPDESK}"])  # fmt: skip
        wheel = next(Path(tmp).glob("django_helpdesk-*.whl"))
        with zipfile.ZipFile(wheel) as zf:
            name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
            text = zf.read(name).decode()
    headers = text.split("\n\n", 1)[0].splitlines()
    classifiers = [h.split(":", 1)[1].strip() for h in headers if h.startswith("Classifier:")]

    def series(prefix: str) -> list[str]:
        found = [c[len(prefix) :] for c in classifiers if c.startswith(prefix)]
        return sorted((v for v in found if re.fullmatch(r"\d+\.\d+", v)), key=Version)

    requires = next((h.split(":", 1)[1].strip() for h in headers if h.startswith("Requires-Python:")), "")
    return {
        "requires_python": requires,
        "python_series": series("Programming Language :: Python :: "),
        "django_series": series("Framework :: Django :: "),
    }


def _pyenv_pythons() -> list[Path]:
    root = os.environ.get("PYENV_ROOT") or (
        subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()
        if shutil.which("pyenv")
        else str(Path.home() / ".pyenv")
    )
    versions = Path(root) / "versions"
    if not versions.is_dir():
        return []
    found = [d for d in versions.iterdir() if re.fullmatch(r"\d+\.\d+\.\d+", d.name)]
    return [d / "bin" / "python3" for d in sorted(found, key=lambda d: Version(d.name), reverse=True)]


def choose_python(meta: dict) -> Path:
    """The newest pyenv Python in a series the release lists that also meets its Requires-Python."""
    spec = SpecifierSet(meta["requires_python"])
    for python in _pyenv_pythons():
        version = python.parent.parent.name
        if ".".join(version.split(".")[:2]) in meta["python_series"] and version in spec:
            return python
    raise RuntimeError(f"no pyenv Python fits django-helpdesk {HELPDESK} ({meta})")


def requirements(meta: dict) -> list[str]:
    newest = meta["django_series"][-1]
    try:
        gunicorn = importlib.metadata.version("gunicorn")
    except importlib.metadata.PackageNotFoundError:
        gunicorn = GUNICORN_FALLBACK
    return [
        f"django-helpdesk=={HELPDESK}",
        f"Django~={newest}.0",
        f"gunicorn=={gunicorn}",
        f"psycopg[binary]=={PSYCOPG}",
    ]


def python() -> Path:
    return venvs.python(VENV)


def ensure(progress=print) -> dict:
    """Make or reuse the venv; return what is in it (versions, the interpreter, the requirements)."""
    made = venvs.stamp(VENV)
    if made and made.get("helpdesk") == HELPDESK:
        return made
    meta = _metadata()
    base = choose_python(meta)
    reqs = requirements(meta)
    progress(f"  making {VENV} with {base} and {', '.join(reqs)}")
    venvs.build(VENV, base, reqs)
    versions = json.loads(
        _run([str(python()), "-c",
              "import json, platform, importlib.metadata as m; print(json.dumps({"
              "'python': platform.python_version(), 'django': m.version('Django'), "
              "'helpdesk': m.version('django-helpdesk'), 'gunicorn': m.version('gunicorn'), "
              "'psycopg': m.version('psycopg'), 'djangorestframework': m.version('djangorestframework')}))"])
    )  # fmt: skip
    return venvs.write_stamp(
        VENV, {**versions, "base_python": str(base), "requirements": reqs, "metadata": meta}
    )
