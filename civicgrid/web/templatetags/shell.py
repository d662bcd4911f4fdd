"""`{% nav_menu nav_groups %}`: the shell's menu, built in Python.

Every page draws it. In template syntax (an include per link, in loops) it cost a few milliseconds
a page, more than many pages' own content; built here it costs a tenth of that. The markup of the
menu lives only here.
"""

from __future__ import annotations

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from civicgrid import access
from civicgrid.core.templatetags.counts import badge_count

register = template.Library()
CURRENT = mark_safe(' aria-current="page" class="active"')  # noqa: S308 - constant attributes
HIDDEN = mark_safe(" hidden")  # noqa: S308 - a constant class name


def _badge(item) -> str:
    if item["badge"] is None:
        return ""
    return format_html(
        ' <span id="{}" class="badge nav-badge{}">{}</span>',
        item["badge_id"],
        "" if item["badge"] else HIDDEN,
        badge_count(item["badge"]),
    )


def _link(item) -> str:
    return format_html(
        '<a href="{}"{}>{}{}</a>', item["url"], CURRENT if item["active"] else "", item["label"], _badge(item)
    )


def _group(group) -> str:
    if len(group["items"]) == 1:
        return _link(group["items"][0])
    return format_html(
        '<div class="nav-group{}">'
        '<button type="button" class="nav-group-label">{}{} <span aria-hidden="true">▾</span></button>'
        '<div class="nav-menu">{}</div></div>',
        mark_safe(" active") if group["active"] else "",  # noqa: S308 - a constant class name
        group["label"],
        format_html(' <span class="badge">{}</span>', badge_count(group["badge"])) if group["badge"] else "",
        format_html_join("", "{}", ((_link(item),) for item in group["items"])),
    )


@register.simple_tag
def nav_menu(groups):
    """Each module's links: a plain link when the user has one of its pages, a menu otherwise."""
    return format_html_join("\n", "{}", ((_group(group),) for group in groups))


@register.filter
def opens_for(territory, user) -> bool:
    """Whether the user may open this place's page: a breadcrumb names every place above, links these."""
    return access.covers(user, territory.path)
