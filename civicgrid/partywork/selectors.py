"""Reads of party members, pairings and contacts; every one takes the user and goes through access.

Staff holding `partywork.view` see the pairings under their subtrees. A party member sees only their
own pairings: another member's pairing does not exist for them (404), even in the same grid.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, Max, OuterRef, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.accounts.models import RoleAssignment, User
from civicgrid.accounts.roles import Role
from civicgrid.core import clock, paths
from civicgrid.core.pagination import Page, count_upto, keyset_page
from civicgrid.partywork.models import ContactLog, ContactPairing
from civicgrid.partywork.periods import Period, week_of
from civicgrid.partywork.permissions import CONTACT, PAIR, VIEW
from civicgrid.partywork.services import in_force
from civicgrid.registry.models import Household, HouseholdStatus
from civicgrid.territory.models import Level, Territory


@dataclass
class Member:
    """A party member as staff see them: the login and the grids where they hold the role."""

    user: User
    grids: list[Territory] = field(default_factory=list)

    @property
    def pk(self) -> int:
        return self.user.pk

    def __str__(self) -> str:
        return str(self.user)


def _member_assignments() -> QuerySet:
    return RoleAssignment.objects.active().filter(role=Role.PARTY_MEMBER, user__is_active=True)


def _members(assignments) -> list[Member]:
    found: dict[int, Member] = {}
    for a in assignments:
        found.setdefault(a.user_id, Member(a.user)).grids.append(a.territory)
    return sorted(found.values(), key=lambda m: (m.grids[0].path, str(m.user), m.pk))


def member_list_for(user, *, node: Territory | None = None, perm: str = VIEW) -> list[Member]:
    """Party members whose role sits in the user's area (under `node` when given)."""
    qs = access.scope(user, _member_assignments(), perm)
    if node is not None:
        qs = qs.filter(paths.subtree_q("territory_path", node.path))
    return _members(qs.select_related("user", "territory").order_by("territory_path", "id"))


def member_get_for(user, member_id: int, perm: str = VIEW) -> Member:
    """One party member: 404 unless their role sits in the user's area, 403 there without `perm`."""
    assignments = list(_member_assignments().filter(user_id=member_id).select_related("user", "territory"))
    visible = [a for a in assignments if access.covers(user, a.territory_path)]
    if not visible:
        return _former_member(user, member_id, perm)
    if not any(access.has_perm_at(user, perm, a.territory_path) for a in visible):
        raise PermissionDenied(_("You do not have permission to do this here."))
    return _members(visible)[0]


def _former_member(user, member_id: int, perm: str) -> Member:
    """Someone whose role here has ended (moved away) but whose pairings are still in force: their
    page must stay reachable so the households can be handed over. Their grids are those of the
    households."""
    held = list(
        access.scope(user, ContactPairing.objects.filter(member_id=member_id, until__isnull=True), VIEW)
        .values_list("territory_path", flat=True)
        .distinct()
    )
    if not held:
        raise Http404(_("Not found."))
    if not any(access.has_perm_at(user, perm, p) for p in held):
        raise PermissionDenied(_("You do not have permission to do this here."))
    above = {a for p in held for a in paths.ancestors(p)} | set(held)
    grids = list(Territory.objects.filter(path__in=above, level=Level.GRID).order_by("path"))
    return Member(User.objects.get(pk=member_id), grids)


def territory_for(user, pk: int | None, perm: str = VIEW) -> Territory | None:
    if pk is None:
        return None
    return access.get_for(user, Territory.objects.all(), perm, field="path", pk=pk)


def default_node(user, perm: str = VIEW) -> Territory | None:
    """The top node of the user's area when it is one subtree (a grid chief's grid, a community)."""
    roots = access.roots(user, perm)
    if roots is None or len(roots) != 1:
        return None
    return Territory.objects.filter(path=roots[0]).first()


def place_options_for(user, perm: str = VIEW, limit: int = 300) -> list[Territory]:
    """Towns, communities and grids in the user's area, for a place filter."""
    qs = Territory.objects.filter(level__in=["town", "community", "grid"], retired_at__isnull=True)
    return list(access.scope(user, qs, perm, field="path").order_by("path")[:limit])


def visible_pairings(user) -> QuerySet:
    """Staff see their area; a member sees their own pairings, wherever they hold the role."""
    staff = access.scope(user, ContactPairing.objects.all(), VIEW)
    own = access.scope(user, ContactPairing.objects.filter(member_id=getattr(user, "pk", None)), CONTACT)
    return staff | own


def pairing_list_for(
    user,
    *,
    member_id: int | None = None,
    node: Territory | None = None,
    current: bool = True,
    cursor: str | None = None,
    size: int = 25,
) -> Page:
    qs = visible_pairings(user).select_related("member", "household__head", "household__house")
    if member_id is not None:
        qs = qs.filter(member_id=member_id)
    if node is not None:
        qs = qs.filter(paths.subtree_q("territory_path", node.path))
    if current:
        qs = in_force(qs)
    return keyset_page(qs, order=("territory_path", "id"), cursor=cursor, size=size)


def pairing_get_for(user, pk: int, perm: str = VIEW) -> ContactPairing:
    """One pairing. For `partywork.contact` it must be the user's own: another member's is a 404."""
    try:
        pairing = ContactPairing.objects.select_related("member", "household__head", "household__house").get(
            pk=pk
        )
    except (ContactPairing.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    if perm == CONTACT:
        if pairing.member_id == getattr(user, "pk", None):
            access.check(user, CONTACT, pairing.territory_path)
            return pairing
        if not access.has_perm_at(user, VIEW, pairing.territory_path):
            raise Http404(_("Not found."))
        raise PermissionDenied(_("Only the paired member records contacts with this household."))
    if pairing.member_id == getattr(user, "pk", None) and perm == VIEW:
        access.check(user, CONTACT, pairing.territory_path)
        return pairing
    access.check(user, perm, pairing.territory_path)
    return pairing


def _contacted_in(period: Period) -> Exists:
    return Exists(
        ContactLog.objects.filter(
            pairing=OuterRef("pk"), contacted_on__gte=period.start, contacted_on__lte=period.end
        )
    )


def with_contact_state(qs: QuerySet, week: Period) -> QuerySet:
    """Each pairing with `contacted` (this week) and `last_contacted_on` (ever), uncontacted first."""
    return qs.annotate(contacted=_contacted_in(week), last_contacted_on=Max("logs__contacted_on")).order_by(
        "contacted", F("last_contacted_on").asc(nulls_first=True), "territory_path", "id"
    )


def my_pairings(user, *, week: Period | None = None) -> list[ContactPairing]:
    """The member's own contact households in force, not contacted this week first."""
    week = week or week_of()
    qs = access.scope(user, ContactPairing.objects.filter(member_id=getattr(user, "pk", None)), CONTACT)
    qs = in_force(qs, week.reference_day).select_related("household__head", "household__house")
    return list(with_contact_state(qs, week))


def my_pairing_row(user, pairing_id: int, *, week: Period | None = None) -> ContactPairing:
    """One of the member's own pairings with its contact state, to redraw its row after a contact."""
    week = week or week_of()
    pairing = pairing_get_for(user, pairing_id, CONTACT)
    qs = ContactPairing.objects.filter(pk=pairing.pk).select_related("household__head", "household__house")
    return with_contact_state(qs, week).get()


def member_pairings_for(user, member: Member, *, week: Period | None = None) -> list[ContactPairing]:
    """A member's contact households in force, inside the viewer's area, with this week's state."""
    week = week or week_of()
    qs = access.scope(user, ContactPairing.objects.filter(member=member.user), VIEW)
    qs = in_force(qs, week.reference_day).select_related("household__head", "household__house")
    return list(with_contact_state(qs, week))


def member_history_for(user, member: Member, limit: int = 50) -> list[ContactPairing]:
    """Pairings of the member that have ended, latest first: who took over, and why it ended."""
    qs = access.scope(user, ContactPairing.objects.filter(member=member.user, until__isnull=False), VIEW)
    return list(qs.select_related("household__head", "next__member").order_by("-until", "-id")[:limit])


def unpaired_households_for(user, member: Member, limit: int = 300) -> list[Household]:
    """Active households in the member's grids, in the user's pairing area, with nobody paired: the
    suggestions offered when pairing (including those left behind by a member who moved away)."""
    if not member.grids:
        return []
    paired = ContactPairing.objects.filter(household=OuterRef("pk"), until__isnull=True)
    qs = Household.objects.filter(
        paths.any_subtree_q("territory_path", [g.path for g in member.grids]), status=HouseholdStatus.ACTIVE
    ).exclude(Exists(paired))
    qs = access.scope(user, qs, PAIR).select_related("head", "house")
    return list(qs.order_by("territory_path", "id")[:limit])


def handover_candidates_for(user, member: Member) -> list[Member]:
    """Other party members of the same grids, who can take the member's households."""
    qs = access.scope(user, _member_assignments().exclude(user=member.user), PAIR)
    qs = qs.filter(paths.any_subtree_q("territory_path", [g.path for g in member.grids]))
    return _members(qs.select_related("user", "territory"))


def members_by_ids(ids: set[int]) -> dict[int, User]:
    return {u.pk: u for u in User.objects.filter(pk__in=ids)}


def today_for_member(user, limit: int = 10) -> dict | None:
    """The member's households not contacted this week, longest without contact first."""
    week = week_of()
    qs = access.scope(user, access.own(user, ContactPairing.objects.all(), "member"), CONTACT)
    qs = with_contact_state(in_force(qs).select_related("household__head", "household__house"), week)
    rows = list(qs.filter(contacted=False)[: limit + 1])
    if not rows and not qs.exists():
        return None
    return {"rows": rows[:limit], "more": len(rows) > limit, "week": week, "today": clock.today()}


def not_contacted_count(user, upto: int | None = None) -> int:
    week = week_of()
    qs = access.scope(user, access.own(user, ContactPairing.objects.all(), "member"), CONTACT)
    return count_upto(in_force(qs).exclude(_contacted_in(week)), upto)


def households_for_pairing(user, ids: list[int]) -> list[Household]:
    """The households asked for by id: 404 if any is unknown or outside the user's area, 403 inside
    without the right to pair."""
    wanted = set(ids)
    found = list(Household.objects.filter(pk__in=wanted))
    if len(found) != len(wanted):
        raise Http404(_("Not found."))
    for household in found:
        access.check(user, PAIR, household.territory_path)
    return found
