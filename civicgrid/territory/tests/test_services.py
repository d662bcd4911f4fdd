"""The tree's services: codes, grammar, create, edit, retire, move and locate."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation

from civicgrid import access
from civicgrid.audit.models import AuditEvent
from civicgrid.core import paths
from civicgrid.core.errors import ApplicationError
from civicgrid.orgs import services as orgs_services
from civicgrid.registry import services as registry_services
from civicgrid.registry.models import House, Household, Resident, ResidentMove, Tag, Tagging
from civicgrid.territory import services
from civicgrid.territory.models import Level, Territory
from civicgrid.testing import square


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def refused(field=None, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        services.territory_create(actor=None, **kwargs)
    assert caught.value.field == field
    return caught.value


# --- Codes


@pytest.mark.parametrize(
    "level,code",
    [
        (Level.CITY, "520600000000"),
        (Level.COUNTY, "520602000000"),
    ],
)
def test_root_codes_follow_the_national_format(db, level, code):
    services.check_code(level=level, code=code, parent=None)


@pytest.mark.parametrize(
    "level,code,message",
    [
        (Level.COUNTY, "52060200000", "12-digit"),
        (Level.COUNTY, "52060200000a", "12-digit"),
        (Level.COUNTY, "5206020000001", "12-digit"),
        (Level.COUNTY, "520600000000", "six significant digits"),
        (Level.COUNTY, "520602001000", "six significant digits"),
        (Level.CITY, "520602000000", "eight zeros"),
    ],
)
def test_bad_root_codes_are_refused_naming_the_code_field(db, level, code, message):
    assert message in refused(field="code", level=level, code=code, name="x").message


def test_a_county_under_a_city_starts_with_the_citys_four_digits(db):
    city = services.territory_create(actor=None, level=Level.CITY, code="520600000000", name="铜仁市")
    services.territory_create(actor=None, level=Level.COUNTY, code="520602000000", name="碧江区", parent=city)
    assert (
        "four digits"
        in refused(field="code", level=Level.COUNTY, code="520702000000", name="x", parent=city).message
    )


def test_a_town_code_is_its_countys_six_digits_three_of_its_own_and_000(world):
    for code in ("520603001000", "520602001001", "520602000000"):
        assert (
            "town code"
            in refused(field="code", level=Level.TOWN, code=code, name="x", parent=world.county).message
        )
    town = services.territory_create(
        actor=None, level=Level.TOWN, code="520602100000", name="新镇", parent=world.county
    )
    assert town.code == "520602100000"


def test_a_community_code_is_its_towns_nine_digits_and_three_of_its_own(world):
    for code in ("520602002001", "520602001000"):
        assert (
            "village or community"
            in refused(field="code", level=Level.COMMUNITY, code=code, name="x", parent=world.town).message
        )


@pytest.mark.parametrize("suffix", ["01", "0001", "abc", ""])
def test_a_grid_code_is_its_communitys_code_and_three_digits(world, suffix):
    error = refused(
        field="code", level=Level.GRID, code=world.c1.code + suffix or "x", name="x", parent=world.c1
    )
    assert "three digits" in error.message


def test_a_grid_code_must_start_with_its_own_communitys_code(world):
    assert (
        "three digits"
        in refused(
            field="code", level=Level.GRID, code=world.c2.code + "009", name="x", parent=world.c1
        ).message
    )


def test_a_code_already_taken_is_refused(world):
    error = refused(field="code", level=Level.GRID, code=world.grid_a.code, name="x", parent=world.c1)
    assert world.grid_a.code in error.message


def test_a_grid_without_a_code_takes_the_next_free_one(world):
    grid = services.territory_create(actor=None, level=Level.GRID, name="新网格", parent=world.c1)
    assert grid.code == world.c1.code + "003"  # 001, 002 and 010 are taken
    unit = services.territory_create(actor=None, level=Level.UNIT, name="新单元", parent=grid)
    assert unit.code == grid.code + "001"


# --- Grammar and input


@pytest.mark.parametrize(
    "level,parent_name",
    [
        (Level.UNIT, "c1"),
        (Level.GRID, "town"),
        (Level.COMMUNITY, "county"),
        (Level.TOWN, "grid_a"),
        (Level.COUNTY, "town"),
        (Level.CITY, "county"),
    ],
)
def test_a_level_sits_only_under_the_level_above_it(world, level, parent_name):
    error = refused(field="parent", level=level, code=None, name="x", parent=getattr(world, parent_name))
    assert "cannot sit under" in error.message


@pytest.mark.parametrize("level", [Level.TOWN, Level.COMMUNITY, Level.GRID, Level.UNIT])
def test_only_a_city_or_county_can_be_a_root(db, level):
    assert "root" in refused(field="parent", level=level, code="520602001000", name="x").message


def test_a_name_is_required(db):
    refused(field="name", level=Level.COUNTY, code="520602000000", name="   ")


def test_an_unknown_level_or_kind_is_refused(world):
    refused(field="level", level="province", code="520000000000", name="x")
    refused(
        field="kind", level=Level.COMMUNITY, code="520602001099", name="x", parent=world.town, kind="suburb"
    )


def test_siblings_with_prefix_sharing_codes_get_paths_that_never_nest(world):
    a, b, c = world.grid_a, world.grid_b, world.grid_c
    assert {a.path, b.path, c.path} == {world.c1.path + paths.segment(n) for n in (1, 2, 3)}
    for one in (a, b, c):
        for other in (a, b, c):
            assert paths.is_within(one.path, other.path) == (one == other)


def test_create_writes_an_audit_row(world):
    grid = services.territory_create(actor=world.secretary, level=Level.GRID, name="新网格", parent=world.c1)
    event = AuditEvent.objects.get(action="territory.create", object_id=str(grid.pk))
    assert event.actor == world.secretary
    assert event.summary == {"level": "grid", "code": grid.code, "name": "新网格", "parent": world.c1.code}
    assert event.territory_path == grid.path


# --- Edit


def test_rename_and_set_a_boundary(world):
    node = services.territory_update(
        actor=world.secretary, node=world.grid_c, name=" 十网格 ", boundary=square(108.2, 27.2, 0.01)
    )
    node.refresh_from_db()
    assert node.name == "十网格"
    assert (node.min_lon, node.min_lat, node.max_lon, node.max_lat) == pytest.approx(
        (108.2, 27.2, 108.21, 27.21)
    )
    event = AuditEvent.objects.filter(action="territory.update").latest("pk")
    assert event.summary == {"name": ["第十网格", "十网格"], "boundary": "set"}


def test_clearing_a_boundary_clears_its_box(world):
    services.territory_update(actor=None, node=world.grid_a, boundary=None)
    world.grid_a.refresh_from_db()
    assert world.grid_a.boundary is None
    assert world.grid_a.min_lon is None


def test_an_invalid_boundary_is_refused_clearly_and_nothing_changes(world):
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    with pytest.raises(ApplicationError) as caught:
        services.territory_update(actor=None, node=world.grid_a, name="改名", boundary=bowtie)
    assert caught.value.field == "boundary"
    assert "not a valid polygon" in caught.value.message
    assert Territory.objects.get(pk=world.grid_a.pk).name == "第一网格"


def test_an_invalid_boundary_is_refused_on_create_too(world):
    error = refused(
        field="boundary",
        level=Level.GRID,
        name="x",
        parent=world.c1,
        boundary={"type": "Point", "coordinates": [1, 2]},
    )
    assert "Polygon" in error.message


def test_an_update_that_changes_nothing_writes_no_audit_row(world):
    before = AuditEvent.objects.count()
    services.territory_update(actor=None, node=world.grid_a, name="第一网格", kind="")
    assert AuditEvent.objects.count() == before


def test_an_empty_name_is_refused_on_update(world):
    with pytest.raises(ApplicationError) as caught:
        services.territory_update(actor=None, node=world.grid_a, name=" ")
    assert caught.value.field == "name"


# --- Retire


def test_a_node_with_active_children_cannot_be_retired(world):
    with pytest.raises(ApplicationError, match="Retire or move"):
        services.territory_retire(actor=None, node=world.grid_a)
    assert Territory.objects.get(pk=world.grid_a.pk).retired_at is None


def test_retiring_bottom_up_works_and_is_audited(world):
    services.territory_retire(actor=world.secretary, node=world.unit_c1)
    node = services.territory_retire(actor=world.secretary, node=world.grid_c)
    assert not node.is_active
    assert AuditEvent.objects.filter(action="territory.retire", actor=world.secretary).count() == 2


def test_a_retired_node_cannot_be_retired_again_or_take_children(world):
    services.territory_retire(actor=None, node=world.unit_c1)
    with pytest.raises(ApplicationError, match="already retired"):
        services.territory_retire(actor=None, node=world.unit_c1)
    services.territory_retire(actor=None, node=world.grid_c)
    assert "retired" in refused(field="parent", level=Level.UNIT, name="x", parent=world.grid_c).message


# --- Move


def rows_under(path: str) -> dict[str, set[int]]:
    return {
        model._meta.label_lower: set(
            model.objects.filter(paths.subtree_q("territory_path", path)).values_list("pk", flat=True)
        )
        for model in services.territorial_models()
    }


def test_moving_a_grid_rewrites_every_row_below_it_and_keeps_every_link(world):
    grid, old_path, old_code = world.grid_a, world.grid_a.path, world.grid_a.code
    household = world.households["a"]
    tag = Tag.objects.get(code="veteran")
    registry_services.tag_apply(actor=None, tag=tag, resident=household.head)
    orgs_services.organisation_create(actor=None, kind="mass_org", name="网格志愿队", territory=grid)
    before = rows_under(old_path)
    assert {
        "registry.house",
        "registry.household",
        "registry.resident",
        "registry.residentmove",
        "registry.tagging",
        "accounts.roleassignment",
        "orgs.organisation",
    } <= {k for k, v in before.items() if v}

    moved = services.territory_move(actor=world.town_officer, node=grid, new_parent=world.c2)

    assert moved.parent == world.c2
    assert moved.code == world.c2.code + "002"
    assert paths.is_within(moved.path, world.c2.path)
    assert rows_under(moved.path) == before
    assert not any(rows_under(old_path).values())
    unit = Territory.objects.get(pk=world.unit_a1.pk)
    assert unit.parent_id == grid.pk
    assert unit.code == moved.code + "001"
    assert unit.path.startswith(moved.path)
    house = House.objects.get(pk=household.house_id)
    assert house.unit_id == unit.pk and house.territory_path == unit.path
    assert Household.objects.get(pk=household.pk).house_id == house.pk
    assert set(Resident.objects.filter(household=household).values_list("territory_path", flat=True)) == {
        unit.path
    }
    assert Tagging.objects.get(resident=household.head).territory_path == unit.path
    assert set(
        ResidentMove.objects.filter(resident__household=household).values_list("territory_path", flat=True)
    ) == {unit.path}
    event = AuditEvent.objects.get(action="territory.move")
    assert event.actor == world.town_officer
    assert event.summary["code"] == [old_code, moved.code]
    assert event.summary["path"] == [old_path, moved.path]
    assert event.summary["rows"]["registry.resident"] == 3


def test_a_grid_chiefs_access_follows_the_moved_grid(world):
    household = world.households["a"]
    services.territory_move(actor=None, node=world.grid_a, new_parent=world.c2)
    chief, secretary = world.grid_chief_a, world.secretary
    for user in (chief, secretary, world.town_officer):
        access.forget(user)
    assert access.get_for(chief, Household.objects.all(), "registry.view", pk=household.pk) == household
    assert list(access.scope(chief, Household.objects.all(), "registry.view")) == [household]
    with pytest.raises(Http404):
        access.get_for(secretary, Household.objects.all(), "registry.view", pk=household.pk)
    assert access.get_for(world.town_officer, Household.objects.all(), "registry.view", pk=household.pk)


def test_a_unit_can_move_to_another_grid(world):
    moved = services.territory_move(actor=None, node=world.unit_a1, new_parent=world.grid_b)
    assert moved.code == world.grid_b.code + "002"
    assert set(
        Household.objects.filter(pk=world.households["a"].pk).values_list("territory_path", flat=True)
    ) == {moved.path}
    access.forget(world.grid_chief_b)
    assert access.scope(world.grid_chief_b, Household.objects.all(), "registry.view").count() == 2


@pytest.mark.parametrize(
    "node_name,target_name,field",
    [
        ("c1", "town", None),  # communities change by official codes only
        ("grid_a", "c1", "parent"),  # already there
        ("grid_a", "grid_b", "parent"),  # a grid cannot sit under a grid
        ("unit_a1", "c2", "parent"),  # a unit cannot sit under a community
        ("grid_a", "unit_a1", "parent"),  # under itself
    ],
)
def test_impossible_moves_are_refused(world, node_name, target_name, field):
    node = getattr(world, node_name)
    with pytest.raises(ApplicationError) as caught:
        services.territory_move(actor=None, node=node, new_parent=getattr(world, target_name))
    assert caught.value.field == field
    assert Territory.objects.get(pk=node.pk).path == node.path


def test_a_grid_cannot_move_into_a_retired_community(world):
    target = services.territory_create(
        actor=None, level=Level.COMMUNITY, code="520602001003", name="旧村", parent=world.town
    )
    services.territory_retire(actor=None, node=target)
    with pytest.raises(ApplicationError, match="retired"):
        services.territory_move(actor=None, node=world.grid_a, new_parent=target)


# --- Locate


def test_a_point_is_located_to_the_grid_whose_boundary_covers_it(world):
    assert services.territory_locate(lon=108.01, lat=27.01) == world.grid_a
    assert services.territory_locate(lon=108.07, lat=27.04) == world.grid_b


def test_a_point_outside_every_grid_is_located_nowhere(world):
    assert services.territory_locate(lon=108.01, lat=27.07) is None
    assert services.territory_locate(lon=0, lat=0) is None


def test_locate_can_ask_for_another_level(world):
    assert services.territory_locate(lon=108.01, lat=27.07, level=Level.COMMUNITY) == world.c1


def test_a_retired_grid_is_not_located(world):
    services.territory_retire(actor=None, node=world.unit_b1)
    services.territory_retire(actor=None, node=world.grid_b)
    assert services.territory_locate(lon=108.07, lat=27.04) is None


def test_the_permission_check_inside_the_moved_subtree_still_tells_403_from_404(world):
    services.territory_move(actor=None, node=world.grid_a, new_parent=world.c2)
    worker = world.grid_worker_a
    access.forget(worker)
    path = Territory.objects.get(pk=world.unit_a1.pk).path
    with pytest.raises(PermissionDenied):
        access.check(worker, "registry.reveal", path)
    with pytest.raises(Http404):
        access.check(worker, "registry.view", world.grid_b.path)
