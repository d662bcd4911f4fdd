"""Spreadsheet safety: a cell that a spreadsheet would run as a formula is written as text, and the
control characters a sheet's XML cannot hold are dropped (one such character in one case's title
would otherwise fail the whole export)."""

from __future__ import annotations

from civicgrid.core.text import without_controls

_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value):
    if not isinstance(value, str):
        return value
    value = without_controls(value)
    return "'" + value if value.startswith(_TRIGGERS) else value
