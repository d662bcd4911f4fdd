"""`{{ event.summary|change }}`: an audit entry's change as a reader takes it in, not as stored JSON."""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


def _value(value) -> str:
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):  # a before/after pair, or a nested record: one level is enough to read
        return ", ".join(f"{k} {_value(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(v) for v in value)
    return str(value)


@register.filter
def change(summary) -> str:
    if not isinstance(summary, dict) or not summary:
        return _value(summary) if summary else ""
    return format_html(
        '<dl class="change">{}</dl>',
        format_html_join("", "<dt>{}</dt><dd>{}</dd>", ((k, _value(v)) for k, v in summary.items())),
    )
