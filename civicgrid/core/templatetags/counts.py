"""`{{ n|badge_count }}`: a count shown on a badge, "99+" past what pages count (they stop there)."""

from __future__ import annotations

from django import template

register = template.Library()
BADGE_MAX = 99


@register.filter
def badge_count(n: int) -> str:
    return f"{BADGE_MAX}+" if n > BADGE_MAX else str(n)
