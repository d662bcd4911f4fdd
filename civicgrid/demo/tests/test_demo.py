"""The demo county: deterministic, idempotent, valid, and shaped like the census says."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, F
from shapely.geometry import shape

from civicgrid.accounts.models import RoleAssignment
from civicgrid.accounts.roles import Role
from civicgrid.audit.models import AuditEvent
from civicgrid.core import idcard
from civicgrid.demo import CATEGORIES, DEMO_PASSWORD, DEPARTMENTS
from civicgrid.demo.generator import COUNTY_CODE, HOUSE_CODE_ALPHABET, DemoGenerator, tile
from civicgrid.demo.loader import demo_load
from civicgrid.demo.population import REFERENCE_DATE
from civicgrid.orgs.models import Organisation, OrgKind, PartyMembership
from civicgrid.registry.models import House, Household, Resident, ResidentMove, Tagging
from civicgrid.territory import geometry
from civicgrid.territory.models import Level, Territory
from civicgrid.territory.services import territory_create, territory_locate


def _fingerprint(scale: str, seed: int, communities: int | None = None) -> list[tuple]:
    rows = []
    for community in DemoGenerator(scale, seed, communities).communities():
        for grid in community.grids:
            rows.append((grid.node.code, grid.node.name, grid.node.box))
            for unit in grid.units:
                for house in unit.houses:
                    rows.append((house.code, house.address, house.lon, house.lat))
                    for household in house.households:
                        rows.extend((p.name, p.id_number, p.phone, p.tags) for p in household.members)
    return rows


def _load(**kwargs) -> str:
    out = StringIO()
    call_command("demo", *[f"--{k}={v}" for k, v in kwargs.items()], stdout=out)
    return out.getvalue()


def _age(born: dt.date) -> int:
    r = REFERENCE_DATE
    return r.year - born.year - ((r.month, r.day) < (born.month, born.day))


# --- the generator alone (no database)


def test_the_same_seed_gives_the_same_county_and_another_seed_another():
    first = _fingerprint("small", 7)
    assert first == _fingerprint("small", 7)
    assert first != _fingerprint("small", 8)


def test_a_limited_run_is_the_start_of_the_full_one():
    one = _fingerprint("small", 3, communities=1)
    assert one == _fingerprint("small", 3)[: len(one)]


def test_house_codes_look_like_door_plates_and_never_repeat():
    generator = DemoGenerator("small", 1)
    codes = [generator.house_codes.next() for _ in range(20000)]
    assert len(set(codes)) == len(codes)
    assert all(len(c) == 10 and c[0] == "H" and set(c[1:]) <= set(HOUSE_CODE_ALPHABET) for c in codes)


def test_tiles_cover_the_box_exactly_without_overlap():
    box = (108.6, 27.7, 108.72, 27.79)
    for count in (1, 5, 7, 12):
        tiles = [
            shape({"type": "Polygon", "coordinates": [[[a, b], [c, b], [c, d], [a, d], [a, b]]]})
            for a, b, c, d in tile(box, count)
        ]
        assert len(tiles) == count
        assert sum(t.area for t in tiles) == pytest.approx((box[2] - box[0]) * (box[3] - box[1]))
        assert all(t.is_valid for t in tiles)


def test_departments_cover_the_categories_the_cases_module_will_route():
    wanted = {
        "public_security",
        "housing",
        "property",
        "water",
        "power",
        "sanitation",
        "roads",
        "illegal_construction",
        "social_assistance",
        "elderly_care",
        "market",
        "environment",
    }
    assert wanted <= set(CATEGORIES)
    assert len({d.key for d in DEPARTMENTS}) == len(DEPARTMENTS)


# --- loading


@pytest.mark.django_db
def test_loading_the_same_seed_twice_writes_the_same_people():
    def once() -> list[tuple]:
        with transaction.atomic():
            demo_load(scale="small", seed=5, communities=1)
            rows = list(
                Resident.objects.order_by("household__number", "relation", "name").values_list(
                    "name", "id_number_hash", "household__number"
                )
            )
            transaction.set_rollback(True)
        return rows

    first = once()
    assert first and first == once()


@pytest.mark.django_db
def test_a_county_left_half_loaded_is_reported_not_loaded_over():
    territory_create(actor=None, level=Level.COUNTY, code=COUNTY_CODE, name="龙溪县")
    with pytest.raises(CommandError, match="did not finish"):
        _load(scale="small", seed=1)


@pytest.mark.django_db
def test_the_small_demo_county():
    output = _load(scale="small", seed=1)
    assert "Demo county loaded" in output and DEMO_PASSWORD in output

    residents = Resident.objects.all()
    total = residents.count()
    assert 2400 <= total <= 3600

    # Every ID number is valid by checksum, matches its hash, and is unique.
    hashes = set()
    for r in residents.only("id_number", "id_number_hash", "birth_date", "gender"):
        number = r.id_number.plaintext()
        assert idcard.is_valid(number), number
        assert number.startswith(COUNTY_CODE[:6])
        assert idcard.birth_date(number) == r.birth_date and idcard.gender(number) == r.gender
        hashes.add(r.id_number_hash)
    assert len(hashes) == total
    phones = [r.phone.plaintext() for r in residents.exclude(phone_hash="").only("phone")[:500]]
    assert phones and all(len(p) == 11 and p[:2] in ("13", "15", "18", "19") for p in phones)

    # Every household has its head, who is one of its members with the relation "head".
    assert not Household.objects.filter(head__isnull=True).exists()
    assert not Household.objects.exclude(head__household=F("pk")).exists()
    assert not Household.objects.exclude(head__relation="head").exists()
    assert ResidentMove.objects.filter(kind="move_in").count() == total

    # Shaped like the census.
    ages = [_age(b) for b in residents.values_list("birth_date", flat=True)]
    assert 0.14 <= sum(a >= 60 for a in ages) / total <= 0.24
    assert 0.09 <= sum(a >= 65 for a in ages) / total <= 0.19
    assert 0.13 <= sum(a <= 14 for a in ages) / total <= 0.24
    assert 0.15 <= residents.filter(residence_type="floating").count() / total <= 0.35
    assert 2.2 <= total / Household.objects.count() <= 3.1
    assert 0.04 <= residents.exclude(ethnicity="汉族").count() / total <= 0.14
    assert 0.03 <= Tagging.objects.filter(tag__code="disabled").count() / total <= 0.10
    assert residents.filter(residence_type="relocated").exclude(relocation_type="").exists()
    for code in ("low_income", "left_behind_child", "empty_nest_elderly", "veteran"):
        assert Tagging.objects.filter(tag__code=code).exists(), code
    urban = residents.filter(
        territory_path__in=Territory.objects.filter(level=Level.UNIT, parent__parent__kind="urban").values(
            "path"
        )
    )
    village = residents.exclude(pk__in=urban.values("pk"))
    assert (
        urban.filter(residence_type="floating").count() / urban.count()
        > village.filter(residence_type="floating").count() / village.count()
    )

    # Every territorial row sits where its node is.
    assert not House.objects.exclude(territory_path=F("unit__path")).exists()
    assert not Household.objects.exclude(territory_path=F("house__territory_path")).exists()
    assert not Resident.objects.exclude(territory_path=F("household__territory_path")).exists()
    assert not ResidentMove.objects.exclude(territory_path=F("resident__territory_path")).exists()
    assert (
        not Tagging.objects.filter(resident__isnull=False)
        .exclude(territory_path=F("resident__territory_path"))
        .exists()
    )
    assert (
        not Tagging.objects.filter(household__isnull=False)
        .exclude(territory_path=F("household__territory_path"))
        .exists()
    )
    assert not Organisation.objects.exclude(territory_path=F("territory__path")).exists()
    assert not PartyMembership.objects.exclude(territory_path=F("organisation__territory_path")).exists()
    assert not RoleAssignment.objects.exclude(territory_path=F("territory__path")).exists()
    for m in PartyMembership.objects.select_related("resident"):
        assert m.resident.territory_path.startswith(m.territory_path)

    # Territory codes follow the national pattern, and every house lies in its own grid.
    for node in Territory.objects.select_related("parent"):
        if node.parent is not None:
            assert node.code.startswith(node.parent.code[: {"town": 6, "community": 9}.get(node.level, 99)])
            assert node.path.startswith(node.parent.path)
        assert geometry.validate_boundary(node.boundary)
    # (Houses approved from the demo's self-registrations have random codes and no coordinates.)
    located = House.objects.exclude(lon=None).select_related("unit__parent").order_by("house_code")
    for house in located[:40]:
        assert territory_locate(lon=house.lon, lat=house.lat) == house.unit.parent

    # Structure: grids and units per community, households per unit, party organisations, departments.
    grids = Territory.objects.filter(level=Level.GRID).annotate(n=Count("children"))
    assert all(3 <= g.n <= 8 for g in grids)
    assert all(
        6 <= c.n <= 12 for c in Territory.objects.filter(level=Level.COMMUNITY).annotate(n=Count("children"))
    )
    # The generator's households: those approved from the demo's self-registrations came later.
    from civicgrid.registry.models import SelfRegistrationPerson

    generated = Household.objects.exclude(members__in=SelfRegistrationPerson.objects.values("resident"))
    per_unit = generated.values("house__unit").annotate(n=Count("pk")).values_list("n", flat=True)
    assert all(10 <= n <= 15 for n in per_unit)
    branches = Organisation.objects.filter(kind=OrgKind.PARTY_ORG, party_level="branch")
    assert branches.count() == grids.count()
    assert all(b.parent.party_level == "committee" for b in branches.select_related("parent"))
    assert PartyMembership.objects.values("organisation").distinct().count() == grids.count()
    handled = {
        c
        for cats in Organisation.objects.filter(kind=OrgKind.DEPARTMENT).values_list("categories", flat=True)
        for c in cats
    }
    assert handled == set(CATEGORIES)
    for kind in (OrgKind.PARTNER_UNIT, OrgKind.MASS_ORG, OrgKind.PROPERTY_COMPANY, OrgKind.OWNERS_COMMITTEE):
        assert Organisation.objects.filter(kind=kind, territory__kind="urban").exists(), kind

    # One login per role, on the right node, with the documented password.
    User = get_user_model()
    for role in Role:
        user = User.objects.get(username=role.value)
        assert user.display_name
        assert RoleAssignment.objects.active().filter(user=user, role=role.value).exists(), role
        assert user.is_active and user.check_password(DEMO_PASSWORD)
    chief = RoleAssignment.objects.get(user__username="grid_chief").territory
    chief_b = RoleAssignment.objects.get(user__username="grid_chief_b").territory
    assert chief.level == chief_b.level == Level.GRID and chief != chief_b and chief.parent == chief_b.parent
    assert RoleAssignment.objects.get(user__username="town_officer").territory.level == Level.TOWN
    assert RoleAssignment.objects.get(user__username="unit_chief").territory.parent == chief
    handler = RoleAssignment.objects.get(user__username="department_handler")
    assert handler.territory.level == Level.COUNTY and handler.organisation.kind == OrgKind.DEPARTMENT
    assert User.objects.get(username="admin").is_superuser

    # One audit event for the whole load; a second run changes nothing.
    assert AuditEvent.objects.filter(action="demo.load").count() == 1
    before = (Territory.objects.count(), total, AuditEvent.objects.count(), User.objects.count())
    assert "already loaded" in _load(scale="small", seed=1)
    assert (
        Territory.objects.count(),
        Resident.objects.count(),
        AuditEvent.objects.count(),
        User.objects.count(),
    ) == before
