"""Keyset pagination: the cost of a page does not grow with the table or the page number."""

from __future__ import annotations

import base64
import contextlib
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet


@dataclass
class Page:
    rows: list
    next_cursor: str | None
    has_more: bool


def _encode(values: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(values, default=str).encode()).decode().rstrip("=")


def _decode(cursor: str) -> list | None:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, json.JSONDecodeError):
        return None
    if not isinstance(values, list):
        return None
    # A tampered cursor must not reach the database with numbers it cannot hold.
    if any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in values):
        return None
    return values


def count_upto(qs: QuerySet, upto: int | None) -> int:
    """How many rows `qs` has, or `upto` when it has at least that many (the LIMIT goes inside the
    COUNT, so a long backlog is not counted in full for a badge that says "99+")."""
    return qs.count() if upto is None else qs[:upto].count()


def keyset_page(qs: QuerySet, *, order: tuple[str, ...], cursor: str | None, size: int = 25) -> Page:
    """Rows ordered by `order` (a leading "-" means descending; the last field unique), after `cursor`.

    A malformed cursor starts from the beginning rather than failing: cursors come from URLs.
    """
    qs = qs.order_by(*order)
    values = _decode(cursor) if cursor else None
    if values and len(values) == len(order):
        after = Q()
        names = [f.lstrip("-") for f in order]
        for i, field in enumerate(order):
            op = "lt" if field.startswith("-") else "gt"
            step = Q(**{f"{names[i]}__{op}": values[i]})
            for prev_name, prev_value in zip(names[:i], values[:i], strict=True):
                step &= Q(**{prev_name: prev_value})
            after |= step
        # Values of the wrong type start from the beginning too, like any malformed cursor.
        with contextlib.suppress(ValueError, TypeError, ValidationError):
            qs = qs.filter(after)
    rows = list(qs[: size + 1])
    has_more = len(rows) > size
    rows = rows[:size]
    next_cursor = None
    if has_more:
        last = rows[-1]
        next_cursor = _encode([_attr(last, f.lstrip("-")) for f in order])
    return Page(rows=rows, next_cursor=next_cursor, has_more=has_more)


def _attr(obj, field: str):
    value = obj
    for part in field.split("__"):
        value = getattr(value, part)
    return value
