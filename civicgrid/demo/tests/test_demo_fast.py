"""The city scale and the COPY load path: streams that build the same city in any order, and COPY
rows that are the ORM path's rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

import pytest
from django.db import connection, transaction
from django.db.models import Count

from civicgrid.accounts.models import RoleAssignment
from civicgrid.audit.models import AuditEvent
from civicgrid.core import idcard
from civicgrid.demo import generator as gen_module
from civicgrid.demo.generator import SCALES, DemoGenerator
from civicgrid.demo.loader import DemoError, demo_load
from civicgrid.demo.population import IdAllocator
from civicgrid.orgs.models import Organisation, PartyMembership
from civicgrid.registry.models import House, Household, Resident, ResidentMove, Tagging
from civicgrid.territory.models import Level, Territory


def _people(plans) -> list[tuple]:
    return [
        (house.code, hh.number, p.name, p.id_number, p.phone, tuple(p.tags))
        for plan in plans
        for grid in plan.grids
        for unit in grid.units
        for house in unit.houses
        for hh in house.households
        for p in hh.members
    ]


@pytest.fixture
def two_stream_scale(monkeypatch):
    """The small county's shape over three townships, dealt into two streams like the city."""
    small = SCALES["small"]
    scale = dataclasses.replace(small, townships=3, urban_per_township=(1, 1), villages_per_township=(1, 1))
    monkeypatch.setitem(gen_module.SCALES, "streams", dataclasses.replace(scale, streams=2))
    return "streams"


# --- the generator alone (no database)


def test_the_city_layout_is_a_district_of_seventy_towns_and_about_five_million_people():
    g = DemoGenerator("city", 1)
    towns = {s.town.code: s.town for s in g.stubs}
    assert sum(t.kind == "subdistrict" for t in towns.values()) == 46
    assert sum(t.kind == "township" for t in towns.values()) == 24
    assert len({t.name for t in towns.values()}) == len(towns)
    codes = [s.node.code for s in g.stubs]
    assert len(set(codes)) == len(codes) and all(c[:9] in {t[:9] for t in towns} for c in codes)
    sc = g.scale
    mean = lambda r: sum(r) / 2  # noqa: E731
    per_urban = mean(sc.urban_grids) * mean(sc.urban_units) * mean(sc.households_per_unit) * 2.6
    per_village = mean(sc.village_grids) * mean(sc.village_units) * mean(sc.households_per_unit) * 2.6
    urban = sum(s.setting == "urban" for s in g.stubs)
    expected = urban * per_urban + (len(g.stubs) - urban) * per_village
    assert 4_500_000 <= expected <= 5_500_000
    assert g.streams == 2 and {g.stream_of(s) for s in g.stubs} == {0, 1}


def test_a_city_community_has_the_city_structure_and_the_county_people():
    g = DemoGenerator("city", 1, communities=1)
    (plan,) = g.communities()
    sc = g.scale
    assert plan.stub.setting == "urban"
    assert sc.urban_grids[0] <= len(plan.grids) <= sc.urban_grids[1]
    assert all(sc.urban_units[0] <= len(grid.units) <= sc.urban_units[1] for grid in plan.grids)
    for grid in plan.grids:
        for unit in grid.units:
            assert 10 <= sum(len(h.households) for h in unit.houses) <= 15
    people = list(plan.residents())
    households = list(plan.households())
    assert 2.2 <= len(people) / len(households) <= 3.1
    assert all(idcard.is_valid(p.id_number) for p in people)
    assert g.county.name == "龙溪新区" and g.county.code == gen_module.COUNTY_CODE


def test_streams_build_the_same_communities_whatever_order_they_are_built_in(two_stream_scale):
    whole = DemoGenerator(two_stream_scale, 4)
    assert {whole.stream_of(s) for s in whole.stubs} == {0, 1}
    together = list(whole.communities())
    apart = {k: list(DemoGenerator(two_stream_scale, 4).communities(stream=k)) for k in (0, 1)}
    # Stream 1 first, then stream 0, each in a generator of its own: the same plans as all in one go.
    by_code = {p.node.code: p for k in (1, 0) for p in apart[k]}
    assert _people(together) == _people([by_code[p.node.code] for p in together])
    people = _people(together)
    assert len({row[3] for row in people}) == len(people)  # ID numbers never repeat across streams
    houses = [h.code for p in together for g in p.grids for u in g.units for h in u.houses]
    assert len(set(houses)) == len(houses)


def test_forked_id_allocators_share_out_the_order_codes_without_collisions():
    base = IdAllocator("522299", random.Random(1))
    forks = [base.fork(2, 0), base.fork(2, 1)]
    born = dt.date(1990, 5, 17)
    numbers = [fork.make(born, male=True) for _ in range(300) for fork in forks]
    assert len({n for n, _b in numbers}) == len(numbers) == 600
    assert all(idcard.is_valid(n) for n, _b in numbers)
    # Each fork has 250 order codes a day; the rest move on to the next day, as a full day does.
    assert {b for _n, b in numbers} == {born, born + dt.timedelta(days=1)}


def test_one_stream_is_the_plain_county():
    g = DemoGenerator("small", 2)
    assert g.streams == 1 and {g.stream_of(s) for s in g.stubs} == {0}
    assert _people(g.communities()) == _people(DemoGenerator("small", 2).communities(stream=0))


# --- the COPY path (PostgreSQL) and what SQLite says instead


def _snapshot() -> dict[str, list]:
    """Every row the demo wrote, by natural keys and decrypted values (ids and clocks aside)."""
    plain = {r.pk: r.id_number.plaintext() for r in Resident.objects.only("id_number")}
    code = dict(Territory.objects.values_list("pk", "code"))
    number = dict(Household.objects.values_list("pk", "number"))
    org = {o.pk: (o.name, code[o.territory_id]) for o in Organisation.objects.all()}
    return {
        "territory": [
            (t.code, code.get(t.parent_id), t.path, t.level, t.kind, t.name, t.boundary, t.min_lon, t.max_lat)
            for t in Territory.objects.order_by("pk")
        ],
        "organisations": [
            (
                o.name,
                o.kind,
                code[o.territory_id],
                org.get(o.parent_id),
                o.party_level,
                o.categories,
                o.contact_phone,
                o.active,
                o.territory_path,
            )
            for o in Organisation.objects.order_by("pk")
        ],  # fmt: skip
        "audit": [
            (e.action, e.object_type, e.object_repr, e.territory_path, e.summary)
            for e in AuditEvent.objects.exclude(action="demo.load").order_by("pk")
        ],
        "houses": [
            (h.house_code, h.address, h.lon, h.lat, code[h.unit_id], h.territory_path)
            for h in House.objects.order_by("pk")
        ],
        "households": [
            (h.number, h.house.house_code, plain[h.head_id], h.status, h.notes, h.territory_path)
            for h in Household.objects.select_related("house").order_by("pk")
        ],
        "residents": [
            (
                plain[r.pk],
                r.phone.plaintext(),
                r.id_number_hash,
                r.phone_hash,
                r.name,
                r.gender,
                r.birth_date,
                r.ethnicity,
                r.relation,
                number[r.household_id],
                r.residence_type,
                r.relocation_type,
                r.status,
                r.territory_path,
            )
            for r in Resident.objects.order_by("pk")
        ],  # fmt: skip
        "taggings": sorted(
            (
                t.tag.code,
                plain.get(t.resident_id),
                number.get(t.household_id),
                t.since,
                t.until,
                t.territory_path,
            )
            for t in Tagging.objects.select_related("tag")
        ),
        "moves": [
            (
                plain[m.resident_id],
                m.kind,
                number.get(m.from_household_id),
                number[m.to_household_id],
                m.on,
                m.note,
                m.territory_path,
            )
            for m in ResidentMove.objects.order_by("pk")
        ],  # fmt: skip
        "memberships": [
            (
                plain[m.resident_id],
                org[m.organisation_id],
                m.joined_on,
                m.inservice,
                m.workplace,
                m.since,
                m.until,
                m.territory_path,
            )
            for m in PartyMembership.objects.order_by("pk")
        ],  # fmt: skip
        "roles": sorted(
            RoleAssignment.objects.values_list("user__username", "role", "territory__code", "territory_path")
        ),
    }


@pytest.mark.django_db
def test_the_copy_path_writes_the_rows_the_orm_path_writes():
    if connection.vendor != "postgresql":
        with pytest.raises(DemoError, match="PostgreSQL"):
            demo_load(scale="small", seed=5, communities=1, copy=True)
        assert not Territory.objects.exists()
        return

    def once(copy: bool) -> dict[str, list]:
        with transaction.atomic():
            demo_load(scale="small", seed=5, communities=3, copy=copy)
            rows = _snapshot()
            event = AuditEvent.objects.get(action="demo.load")
            assert event.summary["written_by"] == ("copy" if copy else "orm")
            transaction.set_rollback(True)
        return rows

    orm, fast = once(copy=False), once(copy=True)
    assert orm["residents"] and any(r[1] for r in orm["residents"]) and orm["taggings"] and orm["memberships"]
    assert any(r[11] for r in orm["residents"])  # a resettlement village is among them
    for table in orm:
        assert fast[table] == orm[table], table


@pytest.mark.django_db
def test_the_city_scale_loads_only_into_postgresql():
    if connection.vendor != "postgresql":
        with pytest.raises(DemoError, match="PostgreSQL"):
            demo_load(scale="city", seed=1, communities=1)
        assert not Territory.objects.exists()
        return
    # Inside a transaction (as here) the streams load in this process, one after the other.
    result = demo_load(scale="city", seed=1, communities=1)
    assert result.created and result.counts["residents"] == Resident.objects.count() > 3000
    community = Territory.objects.get(level=Level.COMMUNITY)
    grids = Territory.objects.filter(level=Level.GRID).annotate(n=Count("children"))
    assert all(10 <= g.n <= 14 for g in grids) and 12 <= grids.count() <= 16
    assert community.parent.parent.name == "龙溪新区"
    assert not Household.objects.filter(head__isnull=True).exists()
    assert AuditEvent.objects.filter(action="territory.create").count() == Territory.objects.count()
