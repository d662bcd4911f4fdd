"""Patrol endpoints: teams, shifts, check-in and check-out, findings, hours.

Thin, like every endpoint: parse → access → one selector or service → serialise. Status codes: 400
a rule refused the request (the body says why and names the field), 403 inside your area but not
yours to do (another member's check-in, a team you are not on), 404 outside your area, 422 the body
does not fit its schema. Lists are keyset pages: pass `next_cursor` back as `after`. Members
without an account appear by name only; nothing else personal is returned.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from civicgrid import access
from civicgrid.cases.selectors import category_by_code
from civicgrid.core import clock
from civicgrid.core.api import errors
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import hours as hours_mod
from civicgrid.patrols import rules, selectors, services

router = Router(tags=["patrols"])


def _need_anywhere(user, perm: str = rules.TAKE_PART) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


def _limit(limit: int) -> int:
    return max(1, min(limit, 100))


# --- Shapes -----------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    name: str = Field(description="The account's display name, or the name a leader recorded")
    has_account: bool
    is_leader: bool
    joined_at: dt.datetime
    left_at: dt.datetime | None

    @staticmethod
    def resolve_name(obj):
        return obj.display_name

    @staticmethod
    def resolve_has_account(obj):
        return obj.user_id is not None

    @staticmethod
    def resolve_is_leader(obj):
        return bool(obj.user_id and obj.user_id == obj.team.leader_id)


class AreaOut(Schema):
    id: int
    name: str
    territory_id: int | None
    route: dict | None


class TeamOut(Schema):
    id: int
    name: str
    description: str
    territory_id: int
    territory_name: str
    territory_path: str
    leader: str | None
    retired_at: dt.datetime | None

    @staticmethod
    def resolve_territory_name(obj):
        return obj.territory.name

    @staticmethod
    def resolve_leader(obj):
        return str(obj.leader) if obj.leader_id else None


class TeamDetailOut(TeamOut):
    members: list[MemberOut]
    areas: list[AreaOut]

    @staticmethod
    def resolve_members(obj):
        return obj.members.select_related("user", "team").order_by("joined_at", "id")

    @staticmethod
    def resolve_areas(obj):
        return obj.areas.filter(retired_at__isnull=True)


class TeamPage(Schema):
    items: list[TeamOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last")


class TeamIn(Schema):
    territory: int = Field(description="A community or grid id")
    name: str = Field(max_length=80)
    description: str = ""


class MemberIn(Schema):
    user: int | None = Field(None, description="An account that takes part in patrols at the team's place")
    name: str = Field("", max_length=50, description="Or the name of a resident without an account")


class AreaIn(Schema):
    name: str = Field("", max_length=80)
    territory: int | None = Field(None, description="A grid or unit inside the team's place")
    route: dict | None = Field(None, description="GeoJSON LineString (a route) or Polygon (an area)")


class AttendanceOut(Schema):
    member_id: int
    member: str
    expected: bool
    checked_in_at: dt.datetime | None
    checked_out_at: dt.datetime | None
    located_id: int | None = Field(description="The grid the check-in position lies in")
    closed_by_sweep: bool = Field(description="Checked out by the system at the planned end")

    @staticmethod
    def resolve_member(obj):
        return obj.member.display_name


class ShiftOut(Schema):
    id: int
    team_id: int
    team_name: str
    area_id: int | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    closes_at: dt.datetime = Field(description="Planned end plus the grace period: the sweep closes it then")
    closed_at: dt.datetime | None
    note: str

    @staticmethod
    def resolve_team_name(obj):
        return obj.team.name


class ShiftDetailOut(ShiftOut):
    attendances: list[AttendanceOut]

    @staticmethod
    def resolve_attendances(obj):
        return obj.attendances.select_related("member__user").order_by("member__joined_at", "member_id")


class ShiftPage(Schema):
    items: list[ShiftOut]
    next_cursor: str | None


class ShiftIn(Schema):
    starts_at: dt.datetime
    ends_at: dt.datetime
    area: int | None = None
    members: list[int] = Field(default_factory=list, description="Member ids expected on the shift")
    note: str = Field("", max_length=200)


class TapIn(Schema):
    member: int | None = Field(
        None, description="Another member (leaders and staff only); yourself when empty"
    )
    lon: float | None = Field(None, ge=-180, le=180)
    lat: float | None = Field(None, ge=-90, le=90)


class FindingOut(Schema):
    id: int
    shift_id: int
    team_id: int
    member: str
    description: str
    place: str
    lon: float | None
    lat: float | None
    territory_id: int
    has_photo: bool
    case_code: str | None
    settled_at: dt.datetime | None
    settled_note: str
    created_at: dt.datetime

    @staticmethod
    def resolve_team_id(obj):
        return obj.shift.team_id

    @staticmethod
    def resolve_member(obj):
        return obj.member.display_name

    @staticmethod
    def resolve_has_photo(obj):
        return bool(obj.photo)

    @staticmethod
    def resolve_case_code(obj):
        return obj.case.code if obj.case_id else None


class FindingPage(Schema):
    items: list[FindingOut]
    next_cursor: str | None


class FindingIn(TapIn):
    description: str = Field(min_length=1)
    place: str = Field("", max_length=200)
    raise_case: bool = False
    category: str | None = Field(None, description="A case category code; needed with raise_case")


class RaiseIn(Schema):
    category: str


class SettleIn(Schema):
    note: str = Field(min_length=1, max_length=200)


class HoursRow(Schema):
    id: int
    name: str
    hours: float
    shifts: int


class TeamHoursRow(HoursRow):
    territory_id: int
    members: int


class HoursOut(Schema):
    first: dt.date
    last: dt.date
    total_hours: float
    teams: list[TeamHoursRow] = Field(default_factory=list)
    members: list[HoursRow] = Field(default_factory=list)


# --- Helpers ----------------------------------------------------------------------------------------


def _category(code: str | None, *, needed: bool):
    if not code:
        if needed:
            raise ApplicationError(_("Choose a category for the case."), field="category")
        return None
    category = category_by_code(code)
    if category is None:
        raise ApplicationError(_("No active category has this code."), field="category")
    return category


def _member(user, shift, member_id: int | None):
    if member_id is not None:
        return selectors.member_get_for(user, shift.team, member_id)
    member = selectors.my_member(user, shift.team)
    if member is None:
        raise ApplicationError(_("You are not on this team."), field="member", code="not_member")
    return member


def _team_detail(team):
    return TeamDetailOut.from_orm(team)


def _shift_detail(shift):
    return ShiftDetailOut.from_orm(shift)


# --- Teams ------------------------------------------------------------------------------------------


@router.get("/teams", response={200: TeamPage, **errors()}, summary="Teams I see or am on")
def team_list(request, after: str | None = None, limit: int = 25):
    _need_anywhere(request.user)
    page = selectors.team_list_for(request.user, cursor=after, size=_limit(limit))
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.post("/teams", response={201: TeamDetailOut, **errors(400)}, summary="Set up a team")
def team_create(request, payload: TeamIn):
    _need_anywhere(request.user, rules.MANAGE)
    place = next((p for p in selectors.team_places_for(request.user) if p.pk == payload.territory), None)
    if place is None:
        raise ApplicationError(_("Choose a community or grid in your area."), field="territory")
    team = services.team_create(
        actor=request.user, territory=place, name=payload.name, description=payload.description
    )
    return Status(201, _team_detail(team))


@router.get("/teams/{team_id}", response={200: TeamDetailOut, **errors()}, summary="A team, members, areas")
def team_get(request, team_id: int):
    return _team_detail(selectors.team_get_for(request.user, team_id))


@router.post("/teams/{team_id}/members", response={201: MemberOut, **errors(400)}, summary="Add a member")
def member_add(request, team_id: int, payload: MemberIn):
    team = selectors.team_get_for(request.user, team_id)
    user = None
    if payload.user:
        user = selectors.member_candidate_get(team, payload.user)
        if user is None:
            raise ApplicationError(_("No such account here."), field="user")
    return Status(201, services.member_add(actor=request.user, team=team, user=user, name=payload.name))


@router.post(
    "/teams/{team_id}/members/{member_id}/remove",
    response={200: MemberOut, **errors(400)},
    summary="A member leaves the team (their hours stay)",
)
def member_remove(request, team_id: int, member_id: int):
    team = selectors.team_get_for(request.user, team_id)
    member = selectors.member_get_for(request.user, team, member_id)
    return services.member_remove(actor=request.user, member=member)


@router.post("/teams/{team_id}/areas", response={201: AreaOut, **errors(400)}, summary="Add a patrol area")
def area_add(request, team_id: int, payload: AreaIn):
    team = selectors.team_get_for(request.user, team_id)
    place = None
    if payload.territory is not None:
        place = next((p for p in selectors.area_places_for(team) if p.pk == payload.territory), None)
        if place is None:
            raise ApplicationError(_("Choose a grid or unit of the team's place."), field="territory")
    area = services.area_add(
        actor=request.user, team=team, name=payload.name, territory=place, route=payload.route
    )
    return Status(201, area)


# --- Shifts -----------------------------------------------------------------------------------------


@router.get("/shifts", response={200: ShiftPage, **errors()}, summary="Shifts not yet ended, soonest first")
def shift_list(request, team: int | None = None, after: str | None = None, limit: int = 25):
    _need_anywhere(request.user)
    team_obj = selectors.team_get_for(request.user, team) if team is not None else None
    page = selectors.shift_list_for(
        request.user, team=team_obj, since=clock.now(), cursor=after, size=_limit(limit)
    )
    return {"items": page.rows, "next_cursor": page.next_cursor}


def _aware(moment: dt.datetime) -> dt.datetime:
    """A time sent without an offset is read in the deployment's time zone, as the forms read it."""
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


@router.post("/teams/{team_id}/shifts", response={201: ShiftDetailOut, **errors(400)}, summary="Plan a shift")
def shift_plan(request, team_id: int, payload: ShiftIn):
    team = selectors.team_get_for(request.user, team_id)
    members = {m.pk: m for m in team.members.filter(pk__in=payload.members)}
    if len(members) != len(set(payload.members)):
        raise ApplicationError(_("Choose members of this team."), field="members")
    area = selectors.area_get_for(request.user, team, payload.area) if payload.area else None
    shift = services.shift_plan(
        actor=request.user,
        team=team,
        starts_at=_aware(payload.starts_at),
        ends_at=_aware(payload.ends_at),
        area=area,
        members=list(members.values()),
        note=payload.note,
    )
    return Status(201, _shift_detail(shift))


@router.get("/shifts/{shift_id}", response={200: ShiftDetailOut, **errors()}, summary="A shift, roll call")
def shift_get(request, shift_id: int):
    return _shift_detail(selectors.shift_get_for(request.user, shift_id))


@router.post(
    "/shifts/{shift_id}/check-in",
    response={200: AttendanceOut, **errors(400)},
    summary="Check in (yourself, or a member as their leader); 400 when already checked in",
)
def check_in(request, shift_id: int, payload: TapIn):
    shift = selectors.shift_get_for(request.user, shift_id)
    return services.attendance_check_in(
        actor=request.user,
        shift=shift,
        member=_member(request.user, shift, payload.member),
        lon=payload.lon,
        lat=payload.lat,
    )


@router.post(
    "/shifts/{shift_id}/check-out",
    response={200: AttendanceOut, **errors(400)},
    summary="Check out; 400 before check-in or when already out",
)
def check_out(request, shift_id: int, payload: TapIn):
    shift = selectors.shift_get_for(request.user, shift_id)
    return services.attendance_check_out(
        actor=request.user, shift=shift, member=_member(request.user, shift, payload.member)
    )


# --- Findings ---------------------------------------------------------------------------------------


@router.get("/findings", response={200: FindingPage, **errors()}, summary="Findings, newest first")
def finding_list(request, open: bool = False, after: str | None = None, limit: int = 25):  # noqa: A002
    _need_anywhere(request.user)
    page = selectors.finding_list_for(request.user, open_only=open, cursor=after, size=_limit(limit))
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.post(
    "/shifts/{shift_id}/findings",
    response={201: FindingOut, **errors(400)},
    summary="Record a finding (and raise it as a case at once with raise_case and category)",
)
def finding_record(request, shift_id: int, payload: FindingIn):
    shift = selectors.shift_get_for(request.user, shift_id)
    finding = services.finding_record(
        actor=request.user,
        shift=shift,
        member=_member(request.user, shift, payload.member),
        description=payload.description,
        place=payload.place,
        lon=payload.lon,
        lat=payload.lat,
        raise_case=payload.raise_case,
        category=_category(payload.category, needed=payload.raise_case),
    )
    return Status(201, selectors.finding_get_for(request.user, finding.pk))


@router.get("/findings/{finding_id}", response={200: FindingOut, **errors()}, summary="A finding")
def finding_get(request, finding_id: int):
    return selectors.finding_get_for(request.user, finding_id)


@router.post(
    "/findings/{finding_id}/case",
    response={200: FindingOut, **errors(400)},
    summary="Raise a finding as a case (once)",
)
def finding_raise(request, finding_id: int, payload: RaiseIn):
    finding = selectors.finding_get_for(request.user, finding_id)
    services.finding_raise(
        actor=request.user, finding=finding, category=_category(payload.category, needed=True)
    )
    return selectors.finding_get_for(request.user, finding_id)


@router.post(
    "/findings/{finding_id}/settle",
    response={200: FindingOut, **errors(400)},
    summary="Mark a finding settled on the spot",
)
def finding_settle(request, finding_id: int, payload: SettleIn):
    finding = selectors.finding_get_for(request.user, finding_id)
    services.finding_settle(actor=request.user, finding=finding, note=payload.note)
    return selectors.finding_get_for(request.user, finding_id)


# --- Hours ------------------------------------------------------------------------------------------


@router.get(
    "/hours",
    response={200: HoursOut, **errors(400)},
    summary="Hours on patrol in a period (this month by default): per team, or per member of one team",
)
def hours(
    request,
    first: dt.date | None = None,
    last: dt.date | None = None,
    team: int | None = None,
    territory: int | None = None,
):
    period = hours_mod.period_between(first, last)
    if team is not None:
        team_obj = selectors.team_get_for(request.user, team)
        members = selectors.member_hours_for(request.user, team_obj, period)
        rows = [
            {"id": m.pk, "name": m.display_name, "hours": m.hours, "shifts": m.shift_count} for m in members
        ]
        return {"first": period.first, "last": period.last, "total_hours": _sum(rows), "members": rows}
    _need_anywhere(request.user, rules.VIEW)
    place = selectors.hours_place_for(request.user, territory) if territory is not None else None
    teams = selectors.team_hours_for(request.user, period, territory=place)
    rows = [
        {
            "id": t.pk,
            "name": t.name,
            "territory_id": t.territory_id,
            "hours": t.hours,
            "shifts": t.shift_count,
            "members": t.active_members,
        }
        for t in teams
    ]
    return {"first": period.first, "last": period.last, "total_hours": _sum(rows), "teams": rows}


def _sum(rows: list[dict]) -> float:
    return round(sum(r["hours"] for r in rows), 1)
