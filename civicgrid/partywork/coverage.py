"""Coverage of contact households: how many paired households were contacted this week and this month,
per member and per place below the chosen node (grids of a community, communities of a town).

The pairings counted are those in force on the week's reference day (today while the week runs, its
Sunday once it is over). A household counts once however many contacts it had: counts are of
distinct pairings, over a join restricted to the contacts of the two periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q
from django.db.models.functions import Substr

from civicgrid import access
from civicgrid.core import paths
from civicgrid.core.pagination import Page, keyset_page
from civicgrid.partywork import selectors
from civicgrid.partywork.models import ContactLog, ContactPairing
from civicgrid.partywork.periods import Period, month_of, week_of
from civicgrid.partywork.permissions import VIEW
from civicgrid.partywork.services import in_force
from civicgrid.registry.models import Household, HouseholdStatus
from civicgrid.territory.models import Level, Territory


@dataclass
class Tally:
    paired: int = 0
    week: int = 0
    month: int = 0

    @property
    def week_rate(self) -> int | None:
        return round(100 * self.week / self.paired) if self.paired else None

    @property
    def month_rate(self) -> int | None:
        return round(100 * self.month / self.paired) if self.paired else None

    @property
    def not_contacted(self) -> int:
        return self.paired - self.week


@dataclass
class Row:
    label: str
    tally: Tally
    node: Territory | None = None
    member: object = None
    grids: list = field(default_factory=list)


@dataclass
class Coverage:
    node: Territory | None
    week: Period
    month: Period
    total: Tally
    places: list[Row]
    members: list[Row]
    unpaired: int


def _pairings(user, node: Territory | None, week: Period):
    qs = access.scope(user, ContactPairing.objects.all(), VIEW)
    if node is not None:
        qs = qs.filter(paths.subtree_q("territory_path", node.path))
    return in_force(qs, week.reference_day)


def _tallied(qs, week: Period, month: Period):
    lo, hi = min(week.start, month.start), max(week.end, month.end)
    qs = qs.annotate(
        recent=FilteredRelation("logs", condition=Q(logs__contacted_on__gte=lo, logs__contacted_on__lte=hi))
    )
    return {
        "paired": Count("id", distinct=True),
        "in_week": Count(
            "id",
            distinct=True,
            filter=Q(recent__contacted_on__gte=week.start, recent__contacted_on__lte=week.end),
        ),
        "in_month": Count(
            "id",
            distinct=True,
            filter=Q(recent__contacted_on__gte=month.start, recent__contacted_on__lte=month.end),
        ),
    }, qs


def _tally(row: dict) -> Tally:
    return Tally(row["paired"], row["in_week"], row["in_month"])


def coverage_for(user, *, node: Territory | None = None, week: Period | None = None) -> Coverage:
    week = week or week_of()
    month = month_of(week.reference_day)
    aggregates, qs = _tallied(_pairings(user, node, week), week, month)
    total = _tally(qs.aggregate(**aggregates))

    places: list[Row] = []
    if node is not None and node.level not in (Level.GRID, Level.UNIT):
        width = len(node.path) + paths.STEP
        by_child = {
            r["child"]: _tally(r)
            for r in qs.annotate(child=Substr("territory_path", 1, width))
            .values("child")
            .annotate(**aggregates)
        }
        for child in Territory.objects.filter(parent=node, retired_at__isnull=True).order_by("path"):
            places.append(Row(label=child.name, node=child, tally=by_child.get(child.path, Tally())))
    elif node is None:
        places = _root_rows(user, qs, aggregates)

    by_member = {r["member_id"]: _tally(r) for r in qs.values("member_id").annotate(**aggregates)}
    members = []
    for m in selectors.member_list_for(user, node=node):
        members.append(Row(label=str(m), member=m, grids=m.grids, tally=by_member.pop(m.pk, Tally())))
    # Pairings of someone who no longer holds the role here still count, under their name.
    for uid, user_row in selectors.members_by_ids(set(by_member)).items():
        members.append(Row(label=str(user_row), member=selectors.Member(user_row), tally=by_member[uid]))
    return Coverage(
        node=node,
        week=week,
        month=month,
        total=total,
        places=places,
        members=members,
        unpaired=_unpaired_count(user, node),
    )


def _root_rows(user, qs, aggregates) -> list[Row]:
    """With no one node chosen, one row per subtree of the user's area."""
    roots = access.roots(user, VIEW)
    if not roots:
        return []
    rows = []
    for root in Territory.objects.filter(path__in=roots).order_by("path"):
        tally = _tally(qs.filter(paths.subtree_q("territory_path", root.path)).aggregate(**aggregates))
        rows.append(Row(label=root.name, node=root, tally=tally))
    return rows


def _unpaired_count(user, node: Territory | None) -> int:
    paired = ContactPairing.objects.filter(household=OuterRef("pk"), until__isnull=True)
    qs = access.scope(user, Household.objects.filter(status=HouseholdStatus.ACTIVE), VIEW)
    if node is not None:
        qs = qs.filter(paths.subtree_q("territory_path", node.path))
    return qs.exclude(Exists(paired)).count()


def uncontacted_for(
    user,
    *,
    node: Territory | None = None,
    week: Period | None = None,
    cursor: str | None = None,
    size: int = 25,
) -> Page:
    """Paired households with no contact in the week, in place order, keyset-paginated."""
    week = week or week_of()
    contacted = ContactLog.objects.filter(
        pairing=OuterRef("pk"), contacted_on__gte=week.start, contacted_on__lte=week.end
    )
    qs = _pairings(user, node, week).exclude(Exists(contacted))
    qs = qs.select_related("member", "household__head", "household__house")
    return keyset_page(qs, order=("territory_path", "id"), cursor=cursor, size=size)


def today_for_chief(user, limit: int = 10) -> dict | None:
    """Members in the user's area with households not contacted this week, most first."""
    week = week_of()
    contacted = ContactLog.objects.filter(
        pairing=OuterRef("pk"), contacted_on__gte=week.start, contacted_on__lte=week.end
    )
    qs = _pairings(user, None, week).exclude(Exists(contacted))
    rows = list(qs.values("member_id").annotate(n=Count("id")).order_by("-n", "member_id")[: limit + 1])
    if not rows:
        return None
    names = selectors.members_by_ids({r["member_id"] for r in rows})
    members = [{"member": names[r["member_id"]], "count": r["n"]} for r in rows[:limit]]
    return {"members": members, "more": len(rows) > limit, "week": week}


def member_tally(user, member_id: int, *, week: Period | None = None) -> Tally:
    """One member's week and month, inside what `user` may see (their own, or their area)."""
    week = week or week_of()
    qs = selectors.visible_pairings(user).filter(member_id=member_id)
    aggregates, qs = _tallied(in_force(qs, week.reference_day), week, month_of(week.reference_day))
    return _tally(qs.aggregate(**aggregates))
