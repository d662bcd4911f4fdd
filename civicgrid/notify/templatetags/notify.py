"""Template helpers of the inbox."""

from __future__ import annotations

from html import escape

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from civicgrid.notify.models import Kind

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


# The inbox's rows, built in Python as the case register's are (ADR 0002): in template syntax each
# item cost most of the page (an include, a choice label, two date filters, three URL reverses and a
# form). This is the one place an item's markup lives.
ITEM = (
    '<li id="notification-{pk}" class="notification{unread_class}">\n'
    '  <div class="meta"><span class="tag kind-{kind}">{kind_label}</span>'
    '<time datetime="{iso}">{when}</time>{unread_note}</div>\n'
    '  <p class="text">{text}</p>\n'
    "  {form}\n"
    "</li>"
)
FORM = (
    '<form method="post" action="{url}" hx-post="{url}" hx-target="#notification-{pk}" hx-swap="outerHTML">'
    '<input type="hidden" name="csrfmiddlewaretoken" value="{csrf}">\n'
    '    <button type="submit" class="small">{label}</button>\n'
    "  </form>"
)


def _item(n, words: dict, csrf: str) -> str:
    created = timezone.localtime(n.created_at)
    text = escape(n.text)
    if target_url(n):
        text = f'<a href="{escape(reverse("notify:open", args=[n.pk]))}">{text}</a>'
    unread = not n.is_read
    form = ""
    if unread:
        url = escape(reverse("notify:mark_read", args=[n.pk]))
        form = FORM.format(url=url, pk=n.pk, csrf=escape(csrf), label=words["mark"])
    return ITEM.format(
        pk=n.pk,
        unread_class=" unread" if unread else "",
        kind=escape(n.kind),
        kind_label=escape(words["kinds"].get(n.kind, n.kind)),
        iso=created.isoformat(),
        when=escape(formats.date_format(created, "SHORT_DATETIME_FORMAT")),
        unread_note=f'<span class="visually-hidden">{words["unread"]}</span>' if unread else "",
        text=text,
        form=form,
    )


def _words() -> dict:
    return {
        "kinds": {value: str(label) for value, label in Kind.choices},
        "unread": escape(gettext("unread")),
        "mark": escape(gettext("Mark read")),
    }


@register.simple_tag(takes_context=True)
def inbox_items(context, rows):
    """The <li> of each notification (with `case__category` selected alongside)."""
    words, csrf = _words(), str(context.get("csrf_token", ""))
    return mark_safe("".join(_item(n, words, csrf) for n in rows))  # noqa: S308 - each value escaped in _item
