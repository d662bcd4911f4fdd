"""Template helpers of the inbox."""

from __future__ import annotations

from django import template
from django.urls import NoReverseMatch, reverse

register = template.Library()


@register.filter
def target_url(notification) -> str:
    """Where a notification leads: its case's staff page, or the page a module's reminder names."""
    if notification.case_id:
        return case_url(notification.case)
    return notification.link if notification.link.startswith("/") else ""


@register.filter
def case_url(case) -> str:
    """The staff page of the case, or nothing when that page is not installed."""
    try:
        return reverse("cases:case_detail", args=[case.pk])
    except NoReverseMatch:
        return ""
