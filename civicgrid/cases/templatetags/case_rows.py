"""`{% case_rows rows %}`: the rows of the case register, built in Python.

The register is the page staff open most. In template syntax each row cost about 0.3 ms (a URL
reverse, three choice labels, a date filter and a dozen lookups), which made the 25 rows the
largest part of the page; built here, with each label translated once a page, they cost a tenth.
This is the one place the row's markup lives.
"""

from __future__ import annotations

from html import escape

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from civicgrid.cases.models import URGENCY_BADGE, Channel, State, Tier, Urgency

register = template.Library()
DONE = {State.CLOSED, State.RESOLVED}
ROW = (
    '<li class="case-row" data-code="{code}">\n'
    '  <div class="head">\n'
    '    <a class="title" href="{url}">{title}</a>\n'
    '    <span class="badge{done}">{state}</span>\n'
    "  </div>\n"
    '  <div class="meta">\n'
    '    <span class="mono">{code}</span>\n'
    "    <span>{category}</span>\n"
    "    <span>{place}</span>\n"
    "    <span>{tier}</span>\n"
    "    <span>{channel}</span>\n"
    "    {urgency}"
    "<span>{created}</span>\n"
    "  </div>\n"
    "</li>"
)
URGENCY = '<span class="badge {}">{}</span>\n    '


def _labels() -> dict:
    # Once a page, in the reader's language: `get_FOO_display` rebuilds and translates every choice
    # of the field on each call, which was most of a row's cost.
    labels = {enum: {value: str(label) for value, label in enum.choices} for enum in (State, Tier, Channel)}
    labels[Urgency] = {value: str(label) for value, label in URGENCY_BADGE.items()}
    return labels


# A number no case has, to find where a case's id goes in the detail URL: reversing it for each of
# the 25 rows cost about 6 % of the register page's instructions (callgrind, 1 M cases).
_MARK = 918_273_645


def _detail_url() -> tuple[str, str]:
    before, _, after = reverse("cases:case_detail", args=[_MARK]).partition(str(_MARK))
    return escape(before), escape(after)


def _row(case, labels: dict, url: tuple[str, str]) -> str:
    # Every value is escaped here (html.escape, as Django's own escape does, but without its lazy
    # wrapper around each call); the joined rows are marked safe once.
    urgency = (
        ""
        if case.urgency == Urgency.NORMAL
        else URGENCY.format(escape(case.urgency), escape(labels[Urgency].get(case.urgency, case.urgency)))
    )
    return ROW.format(
        code=escape(case.code),
        url=f"{url[0]}{int(case.pk)}{url[1]}",
        title=escape(case.title),
        done=" ok" if case.state in DONE else "",
        state=escape(labels[State].get(case.state, case.state)),
        category=escape(str(case.category)),
        place=escape(case.territory.name),
        tier=escape(labels[Tier].get(case.tier, case.tier)),
        channel=escape(labels[Channel].get(case.channel, case.channel)),
        urgency=urgency,
        created=timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M"),
    )


@register.simple_tag
def case_rows(rows):
    """The <li> of each case (with `category` and `territory` selected alongside)."""
    labels, url = _labels(), _detail_url()
    return mark_safe("".join(_row(case, labels, url) for case in rows))  # noqa: S308 - each value escaped in _row
