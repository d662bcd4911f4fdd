"""Every read of the patrols module, narrowed through `civicgrid.access`.

Grid staff and leaders see every team in their subtrees (`patrols.view`). A volunteer or party member
(`patrols.take_part`) sees the teams they are on. Outside every subtree a row does not exist (404);
inside one, a team the user neither sees nor belongs to is forbidden (403).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.accounts.models import RoleAssignment
from civicgrid.core import clock, paths, registry
from civicgrid.core.pagination import Page, keyset_page
from civicgrid.patrols import hours as hours_mod
from civicgrid.patrols import rules
from civicgrid.patrols.models import (
    Attendance,
    PatrolArea,
    PatrolFinding,
    PatrolMember,
    PatrolShift,
    PatrolTeam,
)
from civicgrid.territory.models import Level, Territory

UPCOMING = 10


def _my_team_ids(user) -> QuerySet:
    return PatrolMember.objects.filter(user_id=getattr(user, "pk", None), left_at__isnull=True).values(
        "team_id"
    )


def _visible(user, qs: QuerySet, team_key: str) -> QuerySet:
    """Rows of teams the user sees: all under `patrols.view`, their own teams under `patrols.take_part`."""
    seen = access.roots(user, rules.VIEW)
    if seen is None:
        return qs
    mine = paths.any_subtree_q("territory_path", access.roots(user, rules.TAKE_PART)) & Q(
        **{f"{team_key}__in": _my_team_ids(user)}
    )
    return qs.filter(paths.any_subtree_q("territory_path", seen) | mine)


def _check_team(user, team: PatrolTeam) -> None:
    """404 outside, 403 inside for someone who neither sees teams there nor is on this one."""
    try:
        access.check(user, rules.VIEW, team.territory_path)
    except PermissionDenied:
        access.check(user, rules.TAKE_PART, team.territory_path)
        if not my_member(user, team):
            raise PermissionDenied(_("You are not on this team.")) from None


def is_member(user, team: PatrolTeam) -> bool:
    return team.members.filter(user_id=getattr(user, "pk", None), left_at__isnull=True).exists()


# --- Teams


def team_list_for(user, *, cursor: str | None = None, size: int = 25, include_retired: bool = False) -> Page:
    qs = PatrolTeam.objects.select_related("territory", "leader").annotate(
        member_count=Count("members", filter=Q(members__left_at__isnull=True))
    )
    if not include_retired:
        qs = qs.filter(retired_at__isnull=True)
    return keyset_page(_visible(user, qs, "pk"), order=("territory_path", "id"), cursor=cursor, size=size)


def team_get_for(user, pk: int) -> PatrolTeam:
    try:
        team = PatrolTeam.objects.select_related("territory", "leader").get(pk=pk)
    except (PatrolTeam.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    _check_team(user, team)
    return team


def team_detail_for(user, team: PatrolTeam, period: hours_mod.Period) -> dict:
    """A team's page: members with their hours in the period, areas, shifts ahead, open findings."""
    members = member_hours_for(user, team, period)
    now = clock.now()
    return {
        "team": team,
        "members": members,
        "areas": list(team.areas.filter(retired_at__isnull=True).select_related("territory")),
        "shifts": list(
            team.shifts.filter(closes_at__gt=now, closed_at__isnull=True)
            .select_related("area")
            .annotate(expected_count=Count("attendances", filter=Q(attendances__expected=True)))
            .order_by("starts_at", "id")[:UPCOMING]
        ),
        "recent": list(
            team.shifts.filter(Q(closed_at__isnull=False) | Q(closes_at__lte=now))
            .select_related("area")
            .order_by("-starts_at", "-id")[:5]
        ),
        "open_findings": team_open_findings(team),
        "total_hours": round(sum(m.hours for m in members), 1),
        "can_manage": rules.can_manage(user, team),
        "is_member": any(m.user_id == user.pk and m.left_at is None for m in members),
    }


def team_open_findings(team: PatrolTeam, limit: int = 10) -> list[PatrolFinding]:
    return list(
        PatrolFinding.objects.filter(shift__team=team, case__isnull=True, settled_at__isnull=True)
        .select_related("member__user", "territory")
        .order_by("-id")[:limit]
    )


def member_get_for(user, team: PatrolTeam, pk: int) -> PatrolMember:
    member = team.members.select_related("user").filter(pk=pk).first()
    if member is None:
        raise Http404(_("Not found."))
    return member


def my_member(user, team: PatrolTeam) -> PatrolMember | None:
    return access.own(user, team.members.filter(left_at__isnull=True)).first()


def area_get_for(user, team: PatrolTeam, pk: int) -> PatrolArea:
    area = team.areas.filter(pk=pk).first()
    if area is None:
        raise Http404(_("Not found."))
    return area


def team_places_for(user, limit: int = 300) -> list[Territory]:
    """Communities and grids where the user may set up a team, in tree order."""
    qs = Territory.objects.filter(level__in=[Level.COMMUNITY, Level.GRID], retired_at__isnull=True)
    nodes = list(
        access.scope(user, qs, rules.MANAGE, field="path").select_related("parent").order_by("path")[:limit]
    )
    for n in nodes:
        n.label = f"{n.parent.name} · {n.name}" if n.level == Level.GRID else n.name
    return nodes


def area_places_for(team: PatrolTeam, limit: int = 300) -> list[Territory]:
    qs = Territory.objects.filter(level__in=[Level.GRID, Level.UNIT], retired_at__isnull=True)
    return list(qs.filter(paths.subtree_q("path", team.territory_path)).order_by("path")[:limit])


def _candidate_rows(team: PatrolTeam):
    takers = [role for role, perms in registry.role_permissions().items() if rules.TAKE_PART in perms]
    wanted = [*paths.ancestors(team.territory_path), team.territory_path]
    return (
        RoleAssignment.objects.active()
        .filter(role__in=takers, territory_path__in=wanted)
        .exclude(user__in=team.members.filter(left_at__isnull=True, user__isnull=False).values("user_id"))
        .filter(user__is_active=True)
        .select_related("user")
    )


def member_candidates_for(team: PatrolTeam, limit: int = 200) -> list:
    """Accounts that take part in patrols at the team's place and are not on the team yet."""
    seen, users = set(), []
    for a in _candidate_rows(team).order_by("-territory_path", "user__username")[: limit * 2]:
        if a.user_id not in seen:
            seen.add(a.user_id)
            a.user.role_label = a.get_role_display()
            users.append(a.user)
    return users[:limit]


def member_candidate_get(team: PatrolTeam, user_id: int):
    """One of those accounts by id, or None: an account outside them is not found, whoever it is."""
    found = _candidate_rows(team).filter(user_id=user_id).first()
    return found.user if found else None


# --- Shifts


def shift_list_for(
    user, *, team: PatrolTeam | None = None, since: dt.datetime | None = None, cursor=None, size: int = 25
) -> Page:
    qs = PatrolShift.objects.select_related("team", "area").annotate(
        expected_count=Count("attendances", filter=Q(attendances__expected=True)),
        in_count=Count("attendances", filter=Q(attendances__checked_in_at__isnull=False)),
    )
    if team is not None:
        qs = qs.filter(team=team)
    if since is not None:
        qs = qs.filter(ends_at__gt=since)
    return keyset_page(_visible(user, qs, "team_id"), order=("starts_at", "id"), cursor=cursor, size=size)


def shift_get_for(user, pk: int) -> PatrolShift:
    try:
        shift = PatrolShift.objects.select_related("team__territory", "team__leader", "area__territory").get(
            pk=pk
        )
    except (PatrolShift.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    _check_team(user, shift.team)
    return shift


def shift_detail_for(user, shift: PatrolShift) -> dict:
    attendances = list(
        shift.attendances.select_related("member__user", "located").order_by("member__joined_at", "member_id")
    )
    mine = next((a for a in attendances if a.member.user_id == user.pk), None)
    now = clock.now()
    can_manage = rules.can_manage(user, shift.team)
    on_shift = {a.member_id for a in attendances}
    others = []
    if can_manage:  # the leader may check in any member of the team, expected or not
        others = [
            m
            for m in shift.team.members.filter(left_at__isnull=True).select_related("user")
            if m.pk not in on_shift
        ]
    return {
        "others": others,
        "shift": shift,
        "team": shift.team,
        "attendances": attendances,
        "mine": mine,
        "my_member": mine.member if mine else my_member(user, shift.team),
        "findings": list(shift.findings.select_related("member__user", "case", "territory").order_by("-id")),
        "is_open": shift.closed_at is None and now < shift.closes_at,
        "can_manage": can_manage,
    }


def my_shifts_today(user) -> list[Attendance]:
    """My attendances on shifts running today (local day), soonest first, with their team."""
    day = hours_mod.Period(clock.today(), clock.today())
    return list(
        Attendance.objects.filter(
            member__user_id=user.pk,
            member__left_at__isnull=True,
            shift__starts_at__lt=day.end,
            shift__ends_at__gt=day.start,
        )
        .select_related("shift__team", "shift__area", "member")
        .order_by("shift__starts_at", "id")[:10]
    )


def my_open_shifts_today(user) -> list[PatrolShift]:
    """Shifts today of my teams that I am not on yet (I may still join them)."""
    day = hours_mod.Period(clock.today(), clock.today())
    return list(
        PatrolShift.objects.filter(
            team_id__in=_my_team_ids(user),
            starts_at__lt=day.end,
            ends_at__gt=clock.now(),
            closed_at__isnull=True,
        )
        .exclude(attendances__member__user_id=user.pk)
        .select_related("team")
        .order_by("starts_at", "id")[:10]
    )


# --- Findings


def finding_list_for(
    user, *, open_only: bool = False, team: PatrolTeam | None = None, cursor=None, size=25
) -> Page:
    qs = PatrolFinding.objects.select_related("shift__team", "member__user", "case", "territory")
    if open_only:
        qs = qs.filter(case__isnull=True, settled_at__isnull=True)
    if team is not None:
        qs = qs.filter(shift__team=team)
    return keyset_page(
        _visible(user, qs, "shift__team_id"), order=("-created_at", "-id"), cursor=cursor, size=size
    )


def open_findings_for_today(user, limit: int = 10) -> list[PatrolFinding]:
    """Open findings I recorded, or of teams I lead or manage, newest first."""
    qs = PatrolFinding.objects.filter(case__isnull=True, settled_at__isnull=True)
    managed = access.roots(user, rules.MANAGE)
    if managed is not None:
        qs = qs.filter(
            Q(member__user_id=user.pk)
            | Q(shift__team__leader_id=user.pk)
            | paths.any_subtree_q("territory_path", managed)
        )
    qs = qs.select_related("shift__team", "member__user").order_by("-id")
    return list(_visible(user, qs, "shift__team_id")[:limit])


def finding_get_for(user, pk: int) -> PatrolFinding:
    try:
        finding = PatrolFinding.objects.select_related(
            "shift__team__territory", "member__user", "case", "territory"
        ).get(pk=pk)
    except (PatrolFinding.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    _check_team(user, finding.shift.team)
    return finding


# --- Hours


def team_hours_for(user, period: hours_mod.Period, *, territory: Territory | None = None) -> list[PatrolTeam]:
    """Teams in view (under `territory` when given) with their hours, shifts and members in the period."""
    qs = PatrolTeam.objects.select_related("territory")
    if territory is not None:
        qs = qs.filter(paths.subtree_q("territory_path", territory.path))
    teams = list(access.scope(user, qs, rules.VIEW).order_by("territory_path", "id")[:500])
    attendances = Attendance.objects.filter(shift__team__in=[t.pk for t in teams])
    if territory is not None:
        attendances = attendances.filter(paths.subtree_q("territory_path", territory.path))
    by_team = hours_mod.totals(access.scope(user, attendances, rules.VIEW), period, by="shift__team_id")
    for t in teams:
        row = by_team.get(t.pk, {})
        t.hours = hours_mod.hours(row.get("total"))
        t.shift_count = row.get("shifts", 0)
        t.active_members = row.get("members", 0)
    return [t for t in teams if t.retired_at is None or t.hours]


def member_hours_for(user, team: PatrolTeam, period: hours_mod.Period) -> list[PatrolMember]:
    """Every member who patrolled with the team in the period (leavers too), with hours."""
    by_member = hours_mod.totals(Attendance.objects.filter(shift__team=team), period, by="member_id")
    members = list(
        team.members.filter(Q(left_at__isnull=True) | Q(pk__in=list(by_member))).select_related("user")
    )
    for m in members:
        row = by_member.get(m.pk, {})
        m.hours = hours_mod.hours(row.get("total"))
        m.shift_count = row.get("shifts", 0)
    return sorted(members, key=lambda m: (-m.hours, m.display_name))


def hours_place_for(user, pk: int) -> Territory:
    """A place to narrow the hours view to: 404 outside the user's subtrees, 403 without `patrols.view`."""
    return access.get_for(user, Territory.objects.all(), rules.VIEW, field="path", pk=pk)


def hours_places_for(user, limit: int = 300) -> list[Territory]:
    qs = Territory.objects.filter(
        level__in=[Level.COUNTY, Level.TOWN, Level.COMMUNITY, Level.GRID], retired_at__isnull=True
    )
    nodes = list(access.scope(user, qs, rules.VIEW, field="path").order_by("path")[:limit])
    top = min((n.depth for n in nodes), default=0)
    for n in nodes:
        n.indent = "· " * (n.depth - top)
    return nodes
