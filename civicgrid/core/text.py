"""Text from outside: the C0 control characters no person types, and XML (so XLSX) cannot carry."""

from __future__ import annotations

import re

_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")  # tab, line feed and carriage return stay


def without_controls(value: str) -> str:
    return _CONTROLS.sub("", value)
