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
                "active": request.path == url or (url != "/" and request.path.startswith(url)),
            }
        )
    return {"nav": nav}
