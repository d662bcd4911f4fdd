"""Materialized paths of the territory tree.

A node's path is its parent's path plus a fixed-width segment of four digits. Because every
character is a digit and segments have one width, a subtree is the half-open range
[path, successor(path)), which both SQLite and PostgreSQL answer with one index range scan under any
collation (no LIKE, no pattern-ops index). Codes of siblings may share prefixes; paths never do.
"""

from __future__ import annotations

from django.db.models import Q

STEP = 4
MAX_CHILDREN = 10**STEP - 2  # the last segment value is never used, so successor() never carries out


def segment(n: int) -> str:
    if not 1 <= n <= MAX_CHILDREN:
        raise ValueError(f"a node can have at most {MAX_CHILDREN} children")
    return f"{n:0{STEP}d}"


def successor(path: str) -> str:
    """The smallest string greater than every path that starts with `path`."""
    return str(int(path) + 1).zfill(len(path))


def depth(path: str) -> int:
    return len(path) // STEP


def ancestors(path: str) -> list[str]:
    """Every proper ancestor's path, root first."""
    return [path[:i] for i in range(STEP, len(path), STEP)]


def is_within(path: str, root: str) -> bool:
    return path.startswith(root) and len(path) % STEP == 0


def subtree_q(field: str, path: str) -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": successor(path)})


def any_subtree_q(field: str, roots: list[str]) -> Q:
    """Rows under any of `roots`; roots nested in another root are dropped first."""
    q = Q(pk__in=[])
    for root in minimal_roots(roots):
        q |= subtree_q(field, root)
    return q


def minimal_roots(roots: list[str]) -> list[str]:
    kept: list[str] = []
    for root in sorted(set(roots)):
        if not any(root.startswith(k) for k in kept):
            kept.append(root)
    return kept
