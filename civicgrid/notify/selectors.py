"""Reads for notifications: who is told (recipients), and a user's own inbox.

Recipients are found from role assignments the way the access layer grants permissions: a role
holds a permission when some module's manifest says so (`registry.role_permissions()`), and an
assignment acts at the node it sits on.
"""

from __future__ import annotations

from django.db.models import QuerySet

from civicgrid import access
from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases import workflow
from civicgrid.cases.models import Case, Follower, Tier
from civicgrid.core import paths, registry
from civicgrid.core.pagination import Page, count_upto, keyset_page
from civicgrid.core.templatetags.counts import BADGE_MAX
from civicgrid.notify.models import Notification
from civicgrid.territory.selectors import levels_along


def _roles_holding(perm: str) -> list[str]:
    return [role for role, perms in registry.role_permissions().items() if perm in perms]


def _users_by_path(path_list: list[str], perm: str) -> dict[str, set[int]]:
    rows = (
        RoleAssignment.objects.active()
        .filter(territory_path__in=path_list, role__in=_roles_holding(perm), user__is_active=True)
        .values_list("territory_path", "user_id")
    )
    found: dict[str, set[int]] = {}
    for path, user_id in rows:
        found.setdefault(path, set()).add(user_id)
    return found


def tier_node_path(case: Case, tier: str | None = None) -> str:
    """The path of the node the case's tier acts from (its grid, community, town...)."""
    return workflow.tier_path(case.territory_path, tier or case.tier, levels_along(case.territory_path))


def tier_handler_ids(case: Case, tier: str | None = None, perm: str = "cases.handle") -> set[int]:
    """Users holding `perm` on the node the tier acts from.

    When nobody is assigned exactly there (a unit with no unit chief), the nearest node above that has
    someone is told instead, so a case never climbs into silence.
    """
    return holder_ids(perm, tier_node_path(case, tier))


def holder_ids(perm: str, path: str) -> set[int]:
    """Users holding `perm` on the node at `path`, or on the nearest node above it that has any.

    For any module's reminders: whoever answers for that place is told, never nobody.
    """
    chain = [path, *reversed(paths.ancestors(path))]
    found = _users_by_path(chain, perm)
    for node in chain:
        if found.get(node):
            return found[node]
    return set()


def department_handler_ids(case: Case, perm: str = "cases.handle") -> set[int]:
    """Handlers acting for the departments the case is dispatched to (its active assignments)."""
    departments = case.assignments.filter(active=True).values("department_id")
    return set(
        RoleAssignment.objects.active()
        .filter(organisation_id__in=departments, role__in=_roles_holding(perm), user__is_active=True)
        .values_list("user_id", flat=True)
    )


def handler_ids(case: Case) -> set[int]:
    """Whoever acts on the case at its current tier."""
    if case.tier == Tier.DEPARTMENT:
        return department_handler_ids(case)
    return tier_handler_ids(case)


def approver_ids(case: Case) -> set[int]:
    """Who decides on more time for the case: the tier above its current one."""
    above = workflow.tier_above(case.tier) or case.tier
    return tier_handler_ids(case, above, perm="cases.approve_extension")


def followers(case: Case) -> list[Follower]:
    return list(case.followers.select_related("resident"))


def notification_list_for(user, *, cursor: str | None = None, unread_only: bool = False) -> Page:
    """The user's own inbox, newest first. A notification belongs to its recipient and nobody else."""
    qs = _own(user).select_related("case__category")
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    return keyset_page(qs, order=("-id",), cursor=cursor, size=30)


# A badge says "99+" beyond this, so no page counts a long backlog in full.
UNREAD_SHOWN = BADGE_MAX


# Where the count is kept on the request's user: the menu's badge and the inbox page both show it.
UNREAD_MEMO = "_notify_unread"


def unread_count(user, upto: int = UNREAD_SHOWN + 1) -> int:
    """Unread notifications, counted up to one past `UNREAD_SHOWN`, once a request for each `upto`
    (marking read forgets it: `forget_unread`)."""
    if user is None or not user.is_authenticated:
        return 0
    memo = user.__dict__.setdefault(UNREAD_MEMO, {})
    if upto not in memo:
        memo[upto] = count_upto(unread_own(user), upto)
    return memo[upto]


def unread_own(user) -> QuerySet:
    return _own(user).filter(read_at__isnull=True)


def forget_unread(user) -> None:
    user.__dict__.pop(UNREAD_MEMO, None)


def notification_get_for(user, pk: int) -> Notification:
    from django.http import Http404

    try:
        return _own(user).select_related("case__category").get(pk=pk)
    except (Notification.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _own(user) -> QuerySet:
    return access.own(user, Notification.objects.filter(target="user"), "recipient")
