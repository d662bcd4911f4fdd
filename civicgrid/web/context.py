"""What every page's shell needs: navigation from the manifests and the user's places."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from civicgrid import access
from civicgrid.core import registry


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    nav = []
    for entry in registry.nav_entries():
        if not access.has_anywhere(user, entry.permission):
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue
        nav.append(
            {
                "label": entry.label,
                "url": url,
                "icon": entry.icon,
                "active": False,
                "badge": entry.badge(user) if entry.badge else None,
                "badge_id": "nav-badge-" + entry.url_name.replace(":", "-").replace("_", "-"),
            }
        )
    # The entry whose URL is the longest prefix of this page is the current one ("/cases/list/" is
    # "Cases", not "My queue" at "/cases/").
    matching = [
        i for i in nav if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return {"nav": nav, "nav_badges": sum(item["badge"] or 0 for item in nav)}
