"""Test personas and builders, shared by every module's tests (not imported by product code).

The world: county → town → community C1 (urban) → grid A (code ...001) and grid B (...0011 would be
a unit code; B's code ...002 and a third grid ...010 share prefixes with A's), each with units and
households; a second community C2 in the same town. Personas:

- grid_chief_a  (grid chief on grid A)      - grid_chief_b (grid chief on sibling grid B)
- secretary     (community secretary on C1) - town_officer (town officer on the town)
- handler       (department handler on the county, for the water department)
- clerk         (registry clerk on C1)      - outsider (a user with no role)
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field

from civicgrid.accounts import services as accounts_services
from civicgrid.accounts.roles import Role
from civicgrid.core import idcard
from civicgrid.orgs import services as orgs_services
from civicgrid.registry import services as registry_services
from civicgrid.territory import services as territory_services
from civicgrid.territory.models import Level

_seq = itertools.count(1)
PASSWORD = "persona-pass-2026"  # noqa: S105 - test personas only


def id_number(born: dt.date = dt.date(1980, 5, 1), *, male: bool = True, region: str = "520602") -> str:
    return idcard.make(region, born, next(_seq), male=male)


def square(lon: float, lat: float, size: float = 0.01) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


@dataclass
class World:
    county: object
    town: object
    c1: object
    c2: object
    grid_a: object
    grid_b: object
    grid_c: object
    unit_a1: object
    unit_b1: object
    unit_c1: object
    unit_x1: object  # in community C2
    department: object
    users: dict = field(default_factory=dict)
    households: dict = field(default_factory=dict)

    def __getattr__(self, name):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)


def make_household(*, actor, unit, members: int = 2, address: str | None = None, name: str = "张"):
    house = registry_services.house_create(
        actor=actor, unit=unit, address=address or f"{unit.name} {next(_seq)}号"
    )
    head = {
        "name": f"{name}{next(_seq)}",
        "id_number": id_number(dt.date(1970, 3, 4)),
        "phone": "13800000000",
    }
    household = registry_services.household_create(actor=actor, house=house, head=head)
    for i in range(members - 1):
        registry_services.resident_add(
            actor=actor,
            household=household,
            data={
                "name": f"{name}{next(_seq)}",
                "id_number": id_number(dt.date(2000 + i, 1, 2), male=i % 2 == 0),
                "relation": "child",
                "phone": f"1390000{next(_seq):04d}",
            },
        )
    return household


def make_user(username: str, role: str | None = None, territory=None, organisation=None):
    user = accounts_services.user_create(
        actor=None, username=username, password=PASSWORD, display_name=username
    )
    if role:
        accounts_services.role_assign(
            actor=None, user=user, role=role, territory=territory, organisation=organisation
        )
    return user


def build_world() -> World:
    t = territory_services.territory_create
    county = t(actor=None, level=Level.COUNTY, code="520602000000", name="测试县")
    town = t(
        actor=None, level=Level.TOWN, code="520602001000", name="测试镇", parent=county, kind="subdistrict"
    )
    c1 = t(
        actor=None,
        level=Level.COMMUNITY,
        code="520602001001",
        name="幸福社区",
        parent=town,
        kind="urban",
        boundary=square(108.0, 27.0, 0.1),
    )
    c2 = t(actor=None, level=Level.COMMUNITY, code="520602001002", name="和平村", parent=town, kind="village")
    grid_a = t(
        actor=None,
        level=Level.GRID,
        code="520602001001001",
        name="第一网格",
        parent=c1,
        boundary=square(108.0, 27.0, 0.05),
    )
    grid_b = t(
        actor=None,
        level=Level.GRID,
        code="520602001001002",
        name="第二网格",
        parent=c1,
        boundary=square(108.05, 27.0, 0.05),
    )
    grid_c = t(actor=None, level=Level.GRID, code="520602001001010", name="第十网格", parent=c1)
    grid_x = t(actor=None, level=Level.GRID, code="520602001002001", name="一组网格", parent=c2)
    unit_a1 = t(actor=None, level=Level.UNIT, code="520602001001001001", name="A1单元", parent=grid_a)
    unit_b1 = t(actor=None, level=Level.UNIT, code="520602001001002001", name="B1单元", parent=grid_b)
    unit_c1 = t(actor=None, level=Level.UNIT, code="520602001001010001", name="C1单元", parent=grid_c)
    unit_x1 = t(actor=None, level=Level.UNIT, code="520602001002001001", name="X1单元", parent=grid_x)
    department = orgs_services.organisation_create(
        actor=None, kind="department", name="县水务局", territory=county, categories=["water"]
    )
    world = World(
        county=county,
        town=town,
        c1=c1,
        c2=c2,
        grid_a=grid_a,
        grid_b=grid_b,
        grid_c=grid_c,
        unit_a1=unit_a1,
        unit_b1=unit_b1,
        unit_c1=unit_c1,
        unit_x1=unit_x1,
        department=department,
    )
    world.users = {
        "grid_chief_a": make_user("grid_chief_a", Role.GRID_CHIEF, grid_a),
        "grid_chief_b": make_user("grid_chief_b", Role.GRID_CHIEF, grid_b),
        "grid_worker_a": make_user("grid_worker_a", Role.GRID_WORKER, grid_a),
        "secretary": make_user("secretary", Role.COMMUNITY_SECRETARY, c1),
        "town_officer": make_user("town_officer", Role.TOWN_OFFICER, town),
        "handler": make_user("handler", Role.DEPARTMENT_HANDLER, county, department),
        "clerk": make_user("clerk", Role.REGISTRY_CLERK, c1),
        "outsider": make_user("outsider"),
    }
    world.households = {
        "a": make_household(actor=world.secretary, unit=unit_a1, members=3, name="王"),
        "b": make_household(actor=world.secretary, unit=unit_b1, members=2, name="李"),
        "c": make_household(actor=world.secretary, unit=unit_c1, members=1, name="赵"),
        "x": make_household(actor=world.town_officer, unit=unit_x1, members=2, name="刘"),
    }
    return world


def submit_case(world, *, actor=None, household: str = "a", category: str = "sanitation", **fields):
    """A walk-in case at a household's house, taken in by grid A's worker unless `actor` says who."""
    from civicgrid.cases import services as case_services
    from civicgrid.cases.models import Category

    given = {
        "actor": actor or world.grid_worker_a,
        "channel": "walk_in",
        "category": Category.objects.get(code=category),
        "title": "",
        "description": "路灯不亮",
        "house": world.households[household].house,
    }
    return case_services.case_submit(**{**given, **fields})


def log_in(page, base_url: str, username: str, *, lang: str | None = None) -> None:
    """Sign a persona in through the login page of a browser test; with `lang`, first check that the
    page speaks it (the `lang` attribute the browser's Accept-Language chose)."""
    page.goto(f"{base_url}/login/")
    if lang is not None:
        from playwright.sync_api import expect

        expect(page.locator("html")).to_have_attribute("lang", lang)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit].primary").click()
