"""What every page's shell needs: navigation from the manifests and the user's places."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from civicgrid import access
from civicgrid.core import refcache, registry
from civicgrid.core.templatetags.counts import BADGE_MAX


def _entries_for(user) -> tuple:
    """(entry, label, url, module name, module label) of each page the user may open, in menu order.

    The same for everyone holding the same permissions somewhere, so it is kept per process
    (core/refcache.py) rather than rebuilt, with a URL reverse and a permission test per entry, on
    every page.
    """
    held = access.held_anywhere(user)

    def build() -> tuple:
        module_of = {id(e): (m.name, str(m.label)) for m in registry.manifests() for e in m.nav}
        rows = []
        for entry in registry.nav_entries():
            if entry.permission not in held:
                continue
            try:
                url = reverse(entry.url_name)
            except NoReverseMatch:
                continue
            rows.append((entry, str(entry.label), url, *module_of.get(id(entry), ("", ""))))
        return tuple(rows)

    return refcache.remember("nav", held, build)


def shell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    nav = [
        {
            "label": label,
            "url": url,
            "icon": entry.icon,
            "active": False,
            "badge": entry.badge(user, upto=BADGE_MAX + 1) if entry.badge else None,
            "badge_id": "nav-badge-" + entry.url_name.replace(":", "-").replace("_", "-"),
            "module": module,
            "module_label": module_label,
        }
        for entry, label, url, module, module_label in _entries_for(user)
    ]
    # The entry whose URL is the longest prefix of this page is the current one ("/cases/list/" is
    # "Cases", not "My queue" at "/cases/").
    matching = [
        i for i in nav if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return {
        "nav": nav,
        "nav_groups": _groups(nav),
        "nav_badges": sum(item["badge"] or 0 for item in nav),
    }


def _groups(nav: list[dict]) -> list[dict]:
    """The menu by module, in the order of each module's first entry: one module, one menu.

    A module with one entry for this user is a plain link; the shell's own pages (home, today, the
    tree, the audit log) are always plain links. Every module adding its pages to one flat bar made it
    wider than a desktop screen.
    """
    groups: dict[str, dict] = {}
    for item in nav:
        key = item["module"] if item["module"] != "web" else "web:" + item["url"]
        group = groups.setdefault(
            key, {"label": item["module_label"], "items": [], "active": False, "badge": 0}
        )
        group["items"].append(item)
        group["active"] |= item["active"]
        group["badge"] += item["badge"] or 0
    return list(groups.values())
