"""Settings come from the environment and a bad value stops the process, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from civicgrid.core import envconf

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize(
    "raw,expected",
    [
        ("1", True),
        ("true", True),
        ("YES", True),
        (" on ", True),
        ("0", False),
        ("False", False),
        ("no", False),
        ("off", False),
    ],
)
def test_a_boolean_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("CG_FLAG", raw)
    assert envconf.boolean("CG_FLAG", default=not expected) is expected


def test_an_unset_or_empty_boolean_takes_the_default(monkeypatch):
    monkeypatch.delenv("CG_FLAG", raising=False)
    assert envconf.boolean("CG_FLAG", default=True) is True
    monkeypatch.setenv("CG_FLAG", "")
    assert envconf.boolean("CG_FLAG", default=False) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "tru", "  "])
def test_a_bad_boolean_fails_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("CG_FLAG", raw)
    with pytest.raises(ImproperlyConfigured, match="CG_FLAG"):
        envconf.boolean("CG_FLAG", default=False)


def test_an_integer_is_read_and_defaults_when_unset(monkeypatch):
    monkeypatch.setenv("CG_COUNT", "42")
    assert envconf.integer("CG_COUNT", 5) == 42
    monkeypatch.delenv("CG_COUNT")
    assert envconf.integer("CG_COUNT", 5) == 5


@pytest.mark.parametrize("raw", ["forty", "4.5", "1e3", "-3"])
def test_a_bad_integer_fails_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("CG_COUNT", raw)
    with pytest.raises(ImproperlyConfigured, match="CG_COUNT"):
        envconf.integer("CG_COUNT", 5)


def test_an_integer_past_its_maximum_fails_naming_the_variable(monkeypatch):
    monkeypatch.setenv("CG_WEEKDAY", "8")
    with pytest.raises(ImproperlyConfigured, match="CG_WEEKDAY='8' must be at most 7"):
        envconf.integer("CG_WEEKDAY", 4, minimum=1, maximum=7)
    monkeypatch.setenv("CG_WEEKDAY", "7")
    assert envconf.integer("CG_WEEKDAY", 4, minimum=1, maximum=7) == 7


def test_a_choice_outside_the_allowed_list_fails_naming_the_variable_and_the_choices(monkeypatch):
    monkeypatch.setenv("CG_MODE", "staging")
    with pytest.raises(ImproperlyConfigured, match=r"CG_MODE='staging' is not one of a, b"):
        envconf.choice("CG_MODE", ["a", "b"], "a")
    monkeypatch.setenv("CG_MODE", "b")
    assert envconf.choice("CG_MODE", ["a", "b"], "a") == "b"


def test_csv_splits_and_trims(monkeypatch):
    monkeypatch.setenv("CG_HOSTS", " a.example , b.example,, ")
    assert envconf.csv("CG_HOSTS", ["x"]) == ["a.example", "b.example"]
    monkeypatch.delenv("CG_HOSTS")
    assert envconf.csv("CG_HOSTS", ["x"]) == ["x"]


def test_a_missing_production_secret_fails_naming_it(monkeypatch, tmp_path):
    monkeypatch.delenv("CG_SECRET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="CG_SECRET must be set in production"):
        envconf.secret("CG_SECRET", tmp_path / "secret", production=True)
    assert not (tmp_path / "secret").exists()


def test_a_short_secret_fails_naming_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CG_SECRET", "short")
    with pytest.raises(ImproperlyConfigured, match="CG_SECRET must be at least 32"):
        envconf.secret("CG_SECRET", tmp_path / "secret", production=False)


def test_a_development_secret_is_generated_once_and_kept(monkeypatch, tmp_path):
    monkeypatch.delenv("CG_SECRET", raising=False)
    first = envconf.secret("CG_SECRET", tmp_path / "secret", production=False)
    assert len(first) >= 32
    assert (tmp_path / "secret").stat().st_mode & 0o777 == 0o600
    assert envconf.secret("CG_SECRET", tmp_path / "secret", production=False) == first


def test_missing_production_data_keys_fail_naming_the_variable(monkeypatch, tmp_path):
    monkeypatch.delenv("CG_KEYS", raising=False)
    with pytest.raises(ImproperlyConfigured, match="CG_KEYS must be set in production"):
        envconf.fernet_keys("CG_KEYS", tmp_path / "keys", production=True)


def test_a_data_key_that_is_not_a_fernet_key_fails_without_echoing_it(monkeypatch, tmp_path):
    monkeypatch.setenv("CG_KEYS", f"{Fernet.generate_key().decode()},not-a-key-at-all")
    with pytest.raises(ImproperlyConfigured, match="CG_KEYS") as caught:
        envconf.fernet_keys("CG_KEYS", tmp_path / "keys", production=True)
    assert "not-a-key-at-all" not in str(caught.value)


def test_several_data_keys_are_read_newest_first(monkeypatch, tmp_path):
    new, old = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    monkeypatch.setenv("CG_KEYS", f" {new} , {old} ")
    assert envconf.fernet_keys("CG_KEYS", tmp_path / "keys", production=True) == [new, old]


def _load_settings(env: dict) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("CIVICGRID_", "PYTEST_", "DATABASE_URL"))
    }
    return subprocess.run(
        [sys.executable, "-c", "import civicgrid.settings"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = _load_settings({"CIVICGRID_ENV": "production", "CIVICGRID_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "CIVICGRID_SECRET_KEY must be set in production" in result.stderr


def test_production_without_allowed_hosts_refuses_to_start(tmp_path):
    result = _load_settings(
        {
            "CIVICGRID_ENV": "production",
            "CIVICGRID_VAR_DIR": str(tmp_path),
            "CIVICGRID_SECRET_KEY": "s" * 40,
            "CIVICGRID_HASH_KEY": "h" * 40,
            "CIVICGRID_DATA_KEYS": Fernet.generate_key().decode(),
        }
    )
    assert result.returncode != 0
    assert "CIVICGRID_ALLOWED_HOSTS" in result.stderr


def test_a_bad_environment_name_refuses_to_start(tmp_path):
    result = _load_settings({"CIVICGRID_ENV": "prod", "CIVICGRID_VAR_DIR": str(tmp_path)})
    assert result.returncode != 0
    assert "CIVICGRID_ENV='prod' is not one of" in result.stderr


def test_a_complete_production_environment_loads(tmp_path):
    result = _load_settings(
        {
            "CIVICGRID_ENV": "production",
            "CIVICGRID_VAR_DIR": str(tmp_path),
            "CIVICGRID_SECRET_KEY": "s" * 40,
            "CIVICGRID_HASH_KEY": "h" * 40,
            "CIVICGRID_DATA_KEYS": Fernet.generate_key().decode(),
            "CIVICGRID_ALLOWED_HOSTS": "grid.example",
        }
    )
    assert result.returncode == 0, result.stderr
