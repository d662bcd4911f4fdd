"""The staff inbox. Thin: the reader's own notifications, marked read one by one or all at once."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from civicgrid.notify import selectors, services
from civicgrid.notify.templatetags.notify import target_url


@login_required
def inbox(request):
    unread_only = request.GET.get("unread") == "1"
    page = selectors.notification_list_for(
        request.user, cursor=request.GET.get("after"), unread_only=unread_only
    )
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread": selectors.unread_count(request.user),
        "query": "unread=1" if unread_only else "",
    }
    if request.htmx and request.GET.get("after"):
        return render(request, "notify/_rows.html", context)
    return render(request, "notify/inbox.html", context)


@login_required
@require_POST
def mark_read(request, pk: int):
    notification = selectors.notification_get_for(request.user, pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if request.htmx:
        return render(
            request,
            "notify/_read.html",
            {"rows": [notification], "unread": selectors.unread_count(request.user)},
        )
    return redirect("notify:inbox")


@login_required
def open_case(request, pk: int):
    """Following a notification to its case marks it read, as opening a message does."""
    notification = selectors.notification_get_for(request.user, pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    return redirect(target_url(notification) or "notify:inbox")


@login_required
@require_POST
def mark_all_read(request):
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext("%(count)d notification marked read.", "%(count)d notifications marked read.", count)
        % {"count": count},
    )
    return redirect("notify:inbox")
