"""The patrols section of the worker's today page: my shifts today, with the check-in and -out taps."""

from __future__ import annotations

from civicgrid import access
from civicgrid.patrols import rules, selectors


def today_context(user) -> dict | None:
    mine = selectors.my_shifts_today(user)
    joinable = selectors.my_open_shifts_today(user)
    findings = selectors.open_findings_for_today(user)
    if not (mine or joinable or findings) and not access.has_anywhere(user, rules.MANAGE):
        return None
    return {"mine": mine, "joinable": joinable, "findings": findings}
