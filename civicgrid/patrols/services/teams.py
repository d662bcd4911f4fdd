"""Teams, their members and their areas. Keyword-only, actor first, atomic, audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _
from shapely.geometry import shape

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, paths
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import rules
from civicgrid.patrols.models import PatrolArea, PatrolMember, PatrolTeam
from civicgrid.territory import geometry
from civicgrid.territory.models import Level, Territory

TEAM_LEVELS = (Level.COMMUNITY, Level.GRID)
AREA_LEVELS = (Level.GRID, Level.UNIT)
ROUTE_TYPES = ("LineString", "MultiLineString")


def _clean_name(name: str, *, field: str = "name", limit: int = 80) -> str:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give it a name."), field=field)
    if len(name) > limit:
        raise ApplicationError(_("At most %(n)d characters.") % {"n": limit}, field=field)
    return name


def _locked(team: PatrolTeam) -> PatrolTeam:
    return PatrolTeam.objects.select_for_update().get(pk=team.pk)


def _check_active(team: PatrolTeam) -> None:
    if team.retired_at is not None:
        raise ApplicationError(_("This team is retired."), code="retired")


@transaction.atomic
def team_create(*, actor, territory: Territory, name: str, description: str = "", leader=None) -> PatrolTeam:
    if territory.level not in TEAM_LEVELS:
        raise ApplicationError(_("A patrol team belongs to a community or a grid."), field="territory")
    if territory.retired_at is not None:
        raise ApplicationError(_("This place is retired."), field="territory")
    access.check(actor, rules.MANAGE, territory.path)
    team = PatrolTeam.objects.create(
        territory=territory,
        territory_path=territory.path,
        name=_clean_name(name),
        description=(description or "").strip(),
    )
    audit_record(actor=actor, action="patrol_team.create", obj=team, summary={"name": team.name})
    if leader is not None:
        member = member_add(actor=actor, team=team, user=leader)
        team.leader = member.user
        team.save(update_fields=["leader"])
    return team


@transaction.atomic
def team_update(*, actor, team: PatrolTeam, name: str, description: str = "", leader=None) -> PatrolTeam:
    team = _locked(team)
    rules.check_manage(actor, team)
    _check_active(team)
    before = {"name": team.name, "leader": team.leader_id}
    team.name = _clean_name(name)
    team.description = (description or "").strip()
    if (leader.pk if leader else None) != team.leader_id:
        # Handing the team to someone else is for community staff, not for the leader alone.
        if not access.has_perm_at(actor, rules.MANAGE, team.territory_path):
            raise ApplicationError(_("Only community staff choose the team leader."), field="leader")
        if leader is not None and not team.members.filter(user=leader, left_at__isnull=True).exists():
            raise ApplicationError(_("The leader must be a member of the team."), field="leader")
        team.leader = leader
    team.updated_at = clock.now()
    team.save()
    audit_record(
        actor=actor,
        action="patrol_team.update",
        obj=team,
        summary={"name": [before["name"], team.name], "leader": [before["leader"], team.leader_id]},
    )
    return team


@transaction.atomic
def team_retire(*, actor, team: PatrolTeam) -> PatrolTeam:
    team = _locked(team)
    access.check(actor, rules.MANAGE, team.territory_path)
    _check_active(team)
    team.retired_at = team.updated_at = clock.now()
    team.save()
    audit_record(actor=actor, action="patrol_team.retire", obj=team)
    return team


@transaction.atomic
def member_add(*, actor, team: PatrolTeam, user=None, name: str = "") -> PatrolMember:
    """Add an account (which must take part in patrols at the team's place) or a resident by name."""
    team = _locked(team)
    rules.check_manage(actor, team)
    _check_active(team)
    if (user is None) == (not (name or "").strip()):
        raise ApplicationError(
            _("Choose an account, or write the name of a resident without one."), field="user"
        )
    if user is not None:
        if not access.has_perm_at(user, rules.TAKE_PART, team.territory_path):
            raise ApplicationError(
                _("%(user)s has no role here that takes part in patrols (volunteer, party member, staff).")
                % {"user": user},
                field="user",
            )
        if team.members.filter(user=user, left_at__isnull=True).exists():
            raise ApplicationError(_("%(user)s is already on this team.") % {"user": user}, field="user")
        member = PatrolMember.objects.create(team=team, territory_path=team.territory_path, user=user)
    else:
        name = _clean_name(name, limit=50)
        if team.members.filter(user__isnull=True, name=name, left_at__isnull=True).exists():
            raise ApplicationError(_("%(user)s is already on this team.") % {"user": name}, field="name")
        member = PatrolMember.objects.create(team=team, territory_path=team.territory_path, name=name)
    audit_record(
        actor=actor,
        action="patrol_member.add",
        obj=member,
        summary={"team": team.pk, "user": user.pk if user else None},
    )
    return member


@transaction.atomic
def member_remove(*, actor, member: PatrolMember) -> PatrolMember:
    """A member leaves the team; their shifts and hours stay on record."""
    member = PatrolMember.objects.select_for_update().select_related("team").get(pk=member.pk)
    rules.check_manage(actor, member.team)
    if member.left_at is not None:
        raise ApplicationError(_("This member has already left the team."), code="left")
    if member.user_id and member.user_id == member.team.leader_id:
        raise ApplicationError(_("Choose another leader before the leader leaves."), field="member")
    member.left_at = clock.now()
    member.save(update_fields=["left_at"])
    audit_record(actor=actor, action="patrol_member.remove", obj=member, summary={"team": member.team_id})
    return member


def check_route(route) -> dict | None:
    """A route (LineString) or an area (Polygon), valid GeoJSON in longitude, latitude degrees."""
    if route in (None, {}, ""):
        return None
    if isinstance(route, dict) and route.get("type") == "Feature":
        route = route.get("geometry")
    if not isinstance(route, dict) or route.get("type") not in (*ROUTE_TYPES, "Polygon", "MultiPolygon"):
        raise ApplicationError(
            _("Draw the area as a GeoJSON LineString (a route) or Polygon (an area)."), field="route"
        )
    if route["type"] not in ROUTE_TYPES:
        # Areas are checked exactly as territory boundaries are; only the field name differs.
        try:
            geometry.validate_boundary(route)
        except ApplicationError as exc:
            raise ApplicationError(exc.message, field="route") from None
        return route
    try:
        line = shape(route)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise ApplicationError(
            _("The route is not valid GeoJSON: %(err)s") % {"err": exc}, field="route"
        ) from exc
    if line.is_empty or line.length == 0:
        raise ApplicationError(_("A route needs at least two different points."), field="route")
    min_lon, min_lat, max_lon, max_lat = line.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise ApplicationError(_("Coordinates must be longitude, latitude in degrees."), field="route")
    return route


@transaction.atomic
def area_add(
    *, actor, team: PatrolTeam, name: str = "", territory: Territory | None = None, route=None
) -> PatrolArea:
    """A grid or unit inside the team's place, or a route or area drawn on the map (or both)."""
    team = _locked(team)
    rules.check_manage(actor, team)
    _check_active(team)
    route = check_route(route)
    if territory is None and route is None:
        raise ApplicationError(_("Choose a grid or unit, or draw a route or area."), field="territory")
    if territory is not None:
        if territory.level not in AREA_LEVELS or not paths.is_within(territory.path, team.territory_path):
            raise ApplicationError(_("Choose a grid or unit of the team's place."), field="territory")
        if territory.retired_at is not None:
            raise ApplicationError(_("This place is retired."), field="territory")
    boundary = team.territory.boundary
    if route is not None and boundary and not shape(_geometry(boundary)).intersects(shape(_geometry(route))):
        raise ApplicationError(_("The route or area lies outside the team's place."), field="route")
    name = (name or "").strip() or (territory.name if territory else "")
    area = PatrolArea.objects.create(
        team=team,
        territory_path=team.territory_path,
        name=_clean_name(name),
        territory=territory,
        route=route,
    )
    audit_record(
        actor=actor,
        action="patrol_area.add",
        obj=area,
        summary={
            "team": team.pk,
            "territory": territory.pk if territory else None,
            "route": route is not None,
        },
    )
    return area


def _geometry(geojson: dict) -> dict:
    return geojson["geometry"] if geojson.get("type") == "Feature" else geojson


@transaction.atomic
def area_retire(*, actor, area: PatrolArea) -> PatrolArea:
    area = PatrolArea.objects.select_for_update().select_related("team").get(pk=area.pk)
    rules.check_manage(actor, area.team)
    if area.retired_at is None:
        area.retired_at = clock.now()
        area.save(update_fields=["retired_at"])
        audit_record(actor=actor, action="patrol_area.retire", obj=area)
    return area
