"""The production profile passes Django's deployment checks and refuses to start half-configured."""

from __future__ import annotations

import os
import subprocess
import sys

from cryptography.fernet import Fernet

PROD = {
    "CIVICGRID_ENV": "production",
    "CIVICGRID_SECRET_KEY": "x" * 20 + "production-secret-key-for-the-check-only-0123456789",
    "CIVICGRID_DATA_KEYS": Fernet.generate_key().decode(),
    "CIVICGRID_HASH_KEY": "h" * 48,
    "CIVICGRID_ALLOWED_HOSTS": "civicgrid.example.org",
}


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("CIVICGRID_", "PYTEST"))}
    clean.pop("DATABASE_URL", None)
    clean.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests only
    return subprocess.run(
        [sys.executable, "-m", "civicgrid", *args],
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_check_deploy(tmp_path):
    result = _run(
        {**PROD, "CIVICGRID_VAR_DIR": str(tmp_path)}, "check", "--deploy", "--fail-level", "WARNING"
    )
    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_data_keys(tmp_path):
    env = {k: v for k, v in PROD.items() if k != "CIVICGRID_DATA_KEYS"}
    result = _run({**env, "CIVICGRID_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "CIVICGRID_DATA_KEYS must be set in production" in result.stderr


def test_a_bad_value_fails_loudly_with_its_name(tmp_path):
    result = _run({"CIVICGRID_IDLE_TIMEOUT_MINUTES": "soon", "CIVICGRID_VAR_DIR": str(tmp_path)}, "check")
    assert result.returncode != 0
    assert "CIVICGRID_IDLE_TIMEOUT_MINUTES" in result.stderr
