"""Who may do what with a team, on top of `civicgrid.access`: the team leader manages their own team.

Permissions come from the manifest (`patrols.view`, `patrols.take_part`, `patrols.manage`); the
leader is a per-team fact, so it is weighed here, always after the 404/403 rule of `access.check`.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from civicgrid import access

VIEW = "patrols.view"
TAKE_PART = "patrols.take_part"
MANAGE = "patrols.manage"


def is_leader(user, team) -> bool:
    return bool(team.leader_id and team.leader_id == getattr(user, "pk", None))


def can_manage(user, team) -> bool:
    """Community staff who manage patrols there, or the team's own leader while they take part there."""
    if access.has_perm_at(user, MANAGE, team.territory_path):
        return True
    return is_leader(user, team) and access.has_perm_at(user, TAKE_PART, team.territory_path)


def check_manage(user, team) -> None:
    # Every role that manages also takes part, so this is the 404-outside / 403-inside check.
    access.check(user, TAKE_PART, team.territory_path)
    if not can_manage(user, team):
        raise PermissionDenied(_("Only the team leader or community staff manage this team."))


def check_member_action(actor, team, member) -> None:
    """A member acts for themselves; the leader and community staff may act for any member."""
    access.check(actor, TAKE_PART, team.territory_path)
    if member.user_id == actor.pk:
        return
    if not can_manage(actor, team):
        raise PermissionDenied(_("You can check in and out only for yourself."))


def may_act_for(actor, team, member) -> bool:
    """Whether `check_member_action` would let the actor act (to offer the buttons, not to decide)."""
    return member.user_id == actor.pk or can_manage(actor, team)
