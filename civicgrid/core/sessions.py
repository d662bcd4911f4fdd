"""The idle timeout without a database write on every request.

Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) pushes its expiry back each time, at
the cost of one UPDATE per page. Saving it at most once a minute keeps the timeout to within that
minute and takes the write off nearly every request.
"""

from __future__ import annotations

from civicgrid.core import clock

REFRESH_SECONDS = 60
TOUCHED = "_civicgrid_touched"


class SessionRefreshMiddleware:
    """Mark a used session modified when it was last saved a minute ago or more, so it is saved again.

    Listed after SessionMiddleware, so that its response phase runs first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.accessed or session.modified or session.is_empty():
            return response
        now = int(clock.now().timestamp())
        if now - session.get(TOUCHED, 0) >= REFRESH_SECONDS:
            session[TOUCHED] = now
        return response
