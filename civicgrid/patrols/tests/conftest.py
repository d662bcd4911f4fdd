"""Patrol personas on top of the shared world: volunteers and a party member who leads a team on grid A."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
from django.utils import timezone

from civicgrid.accounts.roles import Role
from civicgrid.cases import catalogue
from civicgrid.cases.models import Category
from civicgrid.core import clock
from civicgrid.patrols import services
from civicgrid.testing import make_user


def _next_week_morning() -> dt.datetime:
    """08:00 local a week from today: after the world's role assignments begin, on a fixed hour."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate() + dt.timedelta(days=7), dt.time(8)))


@dataclass
class Patrol:
    leader: object  # party member on grid A, leads team A
    volunteer: object  # volunteer on grid A, on team A
    idle_volunteer: object  # volunteer on grid A, on no team
    volunteer_b: object  # volunteer on sibling grid B, leads team B
    team: object
    team_b: object
    me: object  # the volunteer's membership of team A
    leader_member: object
    elder: object  # a resident without an account, on team A
    area: object
    now: dt.datetime

    def later(self, by: dt.timedelta):
        """The clock `by` after the fixture's frozen now (clock.moved does not move a frozen clock)."""
        return clock.frozen(self.now + by)

    def plan(self, *, start_in=dt.timedelta(hours=1), length=dt.timedelta(hours=2), members=None, team=None):
        team = team or self.team
        starts = clock.now() + start_in
        members = [self.me, self.leader_member] if members is None else members
        return services.shift_plan(
            actor=team.leader, team=team, starts_at=starts, ends_at=starts + length, members=members
        )


@pytest.fixture
def at_now():
    now = _next_week_morning()
    with clock.frozen(now):
        yield now


@pytest.fixture
def categories(db):
    if not Category.objects.exists():  # transactional tests start without the data migration's rows
        catalogue.install(Category)
    return Category.objects


@pytest.fixture
def patrol(world, at_now) -> Patrol:
    leader = make_user("pm_leader_a", Role.PARTY_MEMBER, world.grid_a)
    volunteer = make_user("volunteer_a", Role.VOLUNTEER, world.grid_a)
    idle = make_user("volunteer_idle_a", Role.VOLUNTEER, world.grid_a)
    volunteer_b = make_user("volunteer_b", Role.VOLUNTEER, world.grid_b)
    team = services.team_create(
        actor=world.secretary, territory=world.grid_a, name="第一网格红袖标", leader=leader
    )
    team_b = services.team_create(
        actor=world.secretary, territory=world.grid_b, name="第二网格巡逻队", leader=volunteer_b
    )
    me = services.member_add(actor=leader, team=team, user=volunteer)
    elder = services.member_add(actor=leader, team=team, name="张大爷")
    area = services.area_add(actor=leader, team=team, territory=world.unit_a1)
    return Patrol(
        leader=leader,
        volunteer=volunteer,
        idle_volunteer=idle,
        volunteer_b=volunteer_b,
        team=team,
        team_b=team_b,
        me=me,
        leader_member=team.members.get(user=leader),
        elder=elder,
        area=area,
        now=at_now,
    )
