"""Reading settings from the environment, failing loudly with the variable's name on a bad value."""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def string(name: str, default: str) -> str:
    return os.environ.get(name, default)


def choice(name: str, allowed: list[str], default: str) -> str:
    value = os.environ.get(name, default)
    if value not in allowed:
        raise ImproperlyConfigured(f"{name}={value!r} is not one of {', '.join(allowed)}.")
    return value


def boolean(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean (use true or false).")


def integer(name: str, default: int, minimum: int = 0, maximum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer.") from None
    if value < minimum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at least {minimum}.")
    if maximum is not None and value > maximum:
        raise ImproperlyConfigured(f"{name}={raw!r} must be at most {maximum}.")
    return value


def csv(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [part.strip() for part in raw.split(",") if part.strip()]


def _development_file(path: Path, make: callable, what: str) -> str:
    """A generated key kept under var/, so a development install survives restarts. Never in production."""
    if path.exists():
        return path.read_text().strip()
    value = make()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(value + "\n")
    path.chmod(0o600)
    print(
        f"warning: generated a development {what} in {path}; set it in the environment for production.",
        file=sys.stderr,
    )
    return value


def secret(name: str, dev_file: Path, *, production: bool) -> str:
    value = os.environ.get(name, "").strip()
    if value:
        if len(value) < 32:
            raise ImproperlyConfigured(f"{name} must be at least 32 characters long.")
        return value
    if production:
        raise ImproperlyConfigured(f"{name} must be set in production.")
    return _development_file(dev_file, lambda: secrets.token_urlsafe(48), name)


def fernet_keys(name: str, dev_file: Path, *, production: bool) -> list[str]:
    from cryptography.fernet import Fernet

    raw = os.environ.get(name, "").strip()
    if not raw:
        if production:
            raise ImproperlyConfigured(
                f"{name} must be set in production (comma-separated Fernet keys, newest first)."
            )
        raw = _development_file(dev_file, lambda: Fernet.generate_key().decode(), name)
    keys = [k.strip() for k in raw.split(",") if k.strip()]
    for key in keys:
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} holds a value that is not a Fernet key (32 url-safe base64 bytes)."
            ) from None
    return keys
