"""Demo patrols: two voluntary patrol teams of the demo county with four weeks of shifts behind them.

A grid team led by the `party_member` login and a community team led by the `volunteer` login, with
residents without accounts among their members. Their past shifts are lived through the real services
under a frozen clock (check-ins, check-outs, a few forgotten check-outs the sweep closes, findings
raised as cases or settled on the spot), recorded by the administrator, since the members' roles
begin when the demo is loaded; the shifts of today and the coming week are planned by the leaders.
Deterministic for a seed; loading twice does nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment
from civicgrid.cases.models import Category
from civicgrid.core import clock, paths
from civicgrid.patrols import services
from civicgrid.patrols.models import PatrolTeam
from civicgrid.registry.models import Resident
from civicgrid.territory.models import Level, Territory

WEEKS = 4
FINDINGS = [
    ("public_security", "单元门禁损坏，陌生人可随意进出"),
    ("public_security", "夜间有人在车棚附近徘徊"),
    ("roads", "路口井盖松动，车辆经过有响声"),
    ("roads", "人行道砖块翘起，容易绊倒老人"),
    ("power", "小区主干道路灯不亮"),
    ("sanitation", "垃圾分类亭旁堆放大件垃圾"),
    ("property", "消防通道被私家车占用"),
    ("flood_control", "排水沟被落叶堵塞"),
]
SETTLED = ["当场劝离，已告知物业", "已提醒车主挪车", "巡逻队员当场清理"]


def _login(username: str):
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _node_of(user) -> Territory | None:
    row = RoleAssignment.objects.active().filter(user=user).select_related("territory").first()
    return row.territory if row else None


def _residents(rng: random.Random, place: Territory, n: int) -> list[str]:
    names = list(
        Resident.objects.filter(paths.subtree_q("territory_path", place.path)).values_list("name", flat=True)[
            :200
        ]
    )
    rng.shuffle(names)
    return list(dict.fromkeys(names))[:n]


def _route(grid: Territory) -> dict | None:
    """A walk along the grid's middle, west to east, when the grid has a boundary."""
    if grid.min_lon is None:
        return None
    lat = round((grid.min_lat + grid.max_lat) / 2, 6)
    width = grid.max_lon - grid.min_lon
    points = [[round(grid.min_lon + width * f, 6), lat] for f in (0.1, 0.4, 0.6, 0.9)]
    return {"type": "LineString", "coordinates": points}


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def load(*, seed: int = 1) -> dict[str, int]:
    counts = {"patrol_teams": 0, "patrol_members": 0, "patrol_shifts": 0, "patrol_findings": 0, "cases": 0}
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    leader, volunteer = _login("party_member"), _login("volunteer")
    if admin is None or leader is None or volunteer is None:
        return counts
    grid, community = _node_of(leader), _node_of(volunteer)
    if grid is None or community is None or grid.level != Level.GRID:
        return counts
    if PatrolTeam.objects.filter(paths.subtree_q("territory_path", community.path)).exists():
        return counts  # already loaded
    rng = random.Random(seed * 104729)
    with transaction.atomic():
        teams = _teams(rng, admin, grid, community, leader, volunteer, counts)
        _history(rng, admin, teams, counts)
        _ahead(teams, counts)
    return counts


def _teams(rng, admin, grid, community, leader, volunteer, counts) -> list[PatrolTeam]:
    grid_team = services.team_create(
        actor=admin,
        territory=grid,
        name=f"{grid.name}平安巡逻队",
        leader=leader,
        description="党员带头、居民参与，每周两晚巡逻，周六夜巡。",
    )
    community_team = services.team_create(
        actor=admin,
        territory=community,
        name=f"{community.name}红袖标义务巡逻队",
        leader=volunteer,
        description="社区志愿者与热心居民组成，重点巡查楼道、车棚和消防通道。",
    )
    counts["patrol_teams"] += 2
    for team, usernames, place in (
        (grid_team, ["volunteer", "grid_worker"], grid),
        (community_team, ["two_committees"], community),
    ):
        for username in usernames:
            user = _login(username)
            if user is not None:
                services.member_add(actor=admin, team=team, user=user)
        for name in _residents(rng, place, 3):
            services.member_add(actor=admin, team=team, name=name)
        counts["patrol_members"] += team.members.count()
    for unit in Territory.objects.filter(parent=grid, level=Level.UNIT).order_by("path")[:2]:
        services.area_add(actor=admin, team=grid_team, territory=unit)
    route = _route(grid)
    if route:
        services.area_add(actor=admin, team=grid_team, name="主干道夜巡路线", route=route)
    return [grid_team, community_team]


def _history(rng, admin, teams, counts) -> None:
    categories = {c.code: c for c in Category.objects.filter(active=True)}
    today = clock.today()
    start = today - dt.timedelta(days=7 * WEEKS)
    for offset in range(7 * WEEKS):
        day = start + dt.timedelta(days=offset)
        for i, team in enumerate(teams):
            # The grid team walks on Tuesday and Thursday evenings and late on Saturday; the community
            # team on Wednesday and Sunday evenings.
            slots = {1: (19, 2), 3: (19, 2), 5: (22, 3)} if i == 0 else {2: (19, 2), 6: (18, 2)}
            if day.weekday() not in slots:
                continue
            hour, length = slots[day.weekday()]
            _past_shift(rng, admin, team, _at(day, hour), length, categories, counts)


def _past_shift(rng, admin, team, starts, length, categories, counts) -> None:
    ends = starts + dt.timedelta(hours=length)
    members = list(team.members.filter(left_at__isnull=True))
    expected = [m for m in members if rng.random() < 0.8]
    areas = list(team.areas.filter(retired_at__isnull=True))
    with clock.frozen(starts - dt.timedelta(days=2)):
        shift = services.shift_plan(
            actor=admin,
            team=team,
            starts_at=starts,
            ends_at=ends,
            area=rng.choice(areas) if areas else None,
            members=expected,
            notify=False,
        )
    counts["patrol_shifts"] += 1
    came = [m for m in expected if rng.random() < 0.85]
    for m in came:
        with clock.frozen(starts + dt.timedelta(minutes=rng.randint(-10, 15))):
            services.attendance_check_in(actor=admin, shift=shift, member=m)
    if came and rng.random() < 0.6:
        finder = rng.choice(came)
        code, text = rng.choice(FINDINGS)
        with clock.frozen(starts + dt.timedelta(minutes=rng.randint(20, 60 * length - 20))):
            raise_it = code in categories and rng.random() < 0.65
            finding = services.finding_record(
                actor=admin,
                shift=shift,
                member=finder,
                description=text,
                place=rng.choice(["3栋楼下", "小区北门", "车棚旁", "广场东侧", "2单元门口"]),
                raise_case=raise_it,
                category=categories.get(code) if raise_it else None,
            )
            counts["patrol_findings"] += 1
            counts["cases"] += int(raise_it)
            if not raise_it and rng.random() < 0.6:
                services.finding_settle(actor=admin, finding=finding, note=rng.choice(SETTLED))
    for m in came:
        if rng.random() < 0.1:
            continue  # forgot to check out: the sweep closes it at the planned end
        with clock.frozen(ends + dt.timedelta(minutes=rng.randint(-15, 20))):
            services.attendance_check_out(actor=admin, shift=shift, member=m)
    services.sweep(now=shift.closes_at)


def _ahead(teams, counts) -> None:
    """Tonight's shift of the grid team (so the leader's and members' today pages have it) and next week."""
    today = clock.today()
    now = clock.now()
    for offset in range(8):
        day = today + dt.timedelta(days=offset)
        for i, team in enumerate(teams):
            if offset and day.weekday() not in ((1, 3, 5) if i == 0 else (2, 6)):
                continue
            if not offset and i:
                continue
            starts = _at(day, 19)
            if starts + dt.timedelta(hours=2) <= now:
                # Loaded late in the evening: tonight's shift is under way, so it is still today's
                # shift whatever the hour (one starting later could fall on tomorrow).
                starts = now - dt.timedelta(hours=1)
            members = list(team.members.filter(left_at__isnull=True))
            services.shift_plan(
                actor=team.leader,
                team=team,
                starts_at=starts,
                ends_at=starts + dt.timedelta(hours=2),
                members=members,
            )
            counts["patrol_shifts"] += 1
