"""The party-work sections of the worker's "today" page, and the menu badge. A few queries each."""

from __future__ import annotations

from civicgrid import access
from civicgrid.partywork import coverage, selectors
from civicgrid.partywork.permissions import CONTACT, VIEW


def member_context(user) -> dict | None:
    """A party member's households not contacted this week (hidden when they have no pairing)."""
    if not access.has_anywhere(user, CONTACT):
        return None
    return selectors.today_for_member(user)


def chief_context(user) -> dict | None:
    """For a grid chief (and the community): members with households not contacted this week."""
    if not access.has_anywhere(user, VIEW):
        return None
    return coverage.today_for_chief(user)


def not_contacted_badge(user, upto: int) -> int:
    if not access.has_anywhere(user, CONTACT):
        return 0
    return selectors.not_contacted_count(user, upto=upto)
