"""Per-address rate limits for the public portal, without keeping the address.

A counter lives in the cache under a keyed hash (HMAC with the deployment's hash key) of the
limit's name, the current clock hour and the client address. The key changes every hour, so two
hours of one address cannot be linked, and the entry expires within the hour. Nothing is written to
the database, and the address itself is never stored: not for a suggestion-box report either.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache

from civicgrid.core import clock
from civicgrid.core.protected import blind_index

WINDOW_SECONDS = 3600


def client_address(request) -> str:
    """REMOTE_ADDR, or behind N trusted proxies the Nth address from the right of X-Forwarded-For."""
    proxies = getattr(settings, "AXES_IPWARE_PROXY_COUNT", None) or 0
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _key(request, name: str) -> str:
    window = int(clock.now().timestamp()) // WINDOW_SECONDS
    return f"portal-rate:{blind_index('portal-rate', f'{name}:{window}:{client_address(request)}')[:40]}"


def limit_for(name: str) -> int:
    return {
        "report": settings.CIVICGRID_PORTAL_REPORTS_PER_HOUR,
        # A self-registration is a submission like a report: the same allowance per hour, counted apart,
        # so a household registering does not use up what its members may report.
        "register": settings.CIVICGRID_PORTAL_REPORTS_PER_HOUR,
        "lookup": settings.CIVICGRID_PORTAL_LOOKUPS_PER_HOUR,
    }[name]


def exceeded(request, name: str) -> bool:
    return (cache.get(_key(request, name)) or 0) >= limit_for(name)


def hit(request, name: str) -> int:
    key = _key(request, name)
    if cache.add(key, 1, timeout=WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS)
        return 1
