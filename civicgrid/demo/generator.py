"""The demo county as plain Python: territory layout, houses, households and people, from one seed.

`DemoGenerator(scale, seed).communities()` yields one community at a time, so a county of half a
million people never sits in memory at once. The same scale and seed always give the same county
(names, ID numbers, house codes, boundaries), on any day and on any database: nothing here reads the
clock or the database. `civicgrid.demo.loader` writes what this yields.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field

from civicgrid.demo import DEMO_PASSWORD, names
from civicgrid.demo.population import REFERENCE_DATE, IdAllocator, PartyPlan, PersonPlan, PopulationMaker
from civicgrid.registry.models import RelocationType, ResidenceType, ResidentStatus
from civicgrid.registry.services import HOUSE_CODE_ALPHABET
from civicgrid.territory.models import Kind, Level

COUNTY_CODE = "522299000000"
COUNTY_NAME = "龙溪县"
STREAM_HOUSES = 10**9  # each stream's house codes are counted from its own billion

__all__ = ["COUNTY_CODE", "COUNTY_NAME", "DEMO_PASSWORD", "SCALES", "DemoGenerator"]


Box = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


@dataclass(frozen=True)
class Scale:
    bbox: Box
    subdistricts: int
    urban_per_subdistrict: tuple[int, int]
    townships: int
    urban_per_township: tuple[int, int]
    villages_per_township: tuple[int, int]
    urban_grids: tuple[int, int]
    village_grids: tuple[int, int]
    urban_units: tuple[int, int]
    village_units: tuple[int, int]
    households_per_unit: tuple[int, int] = (10, 15)
    name: str = COUNTY_NAME
    subdistrict_stems: tuple[str, ...] = names.SUBDISTRICT_STEMS
    # Towns are dealt round-robin into this many independent random streams, so that as many
    # processes can build (and load) them side by side; one stream is the plain sequential county.
    streams: int = 1


SCALES = {
    # One township: two urban communities and two villages, about 3,000 people.
    "small": Scale(
        bbox=(108.60, 27.70, 108.72, 27.79),
        subdistricts=0,
        urban_per_subdistrict=(0, 0),
        townships=1,
        urban_per_township=(2, 2),
        villages_per_township=(2, 2),
        urban_grids=(6, 7),
        village_grids=(6, 7),
        urban_units=(3, 4),
        village_units=(3, 4),
    ),
    # A county seat of four subdistricts and eleven townships: about 500,000 people.
    "county": Scale(
        bbox=(108.40, 27.30, 109.10, 27.90),
        subdistricts=4,
        urban_per_subdistrict=(12, 15),
        townships=11,
        urban_per_township=(2, 2),
        villages_per_township=(20, 26),
        urban_grids=(10, 14),
        village_grids=(6, 10),
        urban_units=(6, 8),
        village_units=(3, 6),
    ),
    # A city district of 46 subdistricts and 24 townships: about 5,000,000 people. Its urban
    # communities are bigger than a county seat's (more grids, more buildings to a grid); the
    # households and people in them are made exactly as in the county.
    "city": Scale(
        bbox=(108.10, 27.00, 109.70, 28.40),
        subdistricts=46,
        urban_per_subdistrict=(14, 18),
        townships=24,
        urban_per_township=(2, 3),
        villages_per_township=(18, 24),
        urban_grids=(12, 16),
        village_grids=(6, 10),
        urban_units=(10, 14),
        village_units=(3, 6),
        name="龙溪新区",
        subdistrict_stems=names.SUBDISTRICT_STEMS + names.CITY_SUBDISTRICT_STEMS,
        streams=2,
    ),
}


def polygon(box: Box) -> dict:
    x0, y0, x1, y1 = box
    return {"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]}


def tile(box: Box, count: int) -> list[Box]:
    """`count` rectangles that exactly cover `box`, in rows from the north-west, reading order."""
    x0, y0, x1, y1 = box
    rows = max(1, round(math.sqrt(count)))
    per_row = [count // rows + (1 if r < count % rows else 0) for r in range(rows)]
    ys = [round(y1 - r * (y1 - y0) / rows, 6) for r in range(rows + 1)]
    out = []
    for r, cols in enumerate(per_row):
        xs = [round(x0 + c * (x1 - x0) / cols, 6) for c in range(cols + 1)]
        out.extend((xs[c], ys[r + 1], xs[c + 1], ys[r]) for c in range(cols))
    return out


@dataclass(slots=True)
class NodePlan:
    level: str
    code: str
    name: str
    kind: str
    box: Box

    @property
    def boundary(self) -> dict:
        return polygon(self.box)


@dataclass(slots=True)
class CommunityStub:
    node: NodePlan
    town: NodePlan
    setting: str  # "urban" or "village"
    relocation: str = ""  # the kind of resettlement site a village is, if it is one


@dataclass(slots=True)
class HousePlan:
    code: str
    address: str
    lon: float
    lat: float
    households: list = field(default_factory=list)


@dataclass(slots=True)
class UnitPlan:
    node: NodePlan
    houses: list[HousePlan] = field(default_factory=list)


@dataclass(slots=True)
class GridPlan:
    node: NodePlan
    units: list[UnitPlan] = field(default_factory=list)
    place: str = ""  # the compound (urban) or villagers' group (village) the grid covers


@dataclass(slots=True)
class CommunityPlan:
    stub: CommunityStub
    grids: list[GridPlan]

    @property
    def node(self) -> NodePlan:
        return self.stub.node

    def households(self):
        for grid in self.grids:
            for unit in grid.units:
                for house in unit.houses:
                    yield from house.households

    def residents(self) -> Iterator[PersonPlan]:
        for household in self.households():
            yield from household.members


class HouseCodes:
    """Distinct, random-looking "H" + 9-character door-plate codes from a counter.

    A bijection on 45-bit numbers (multiply by an odd number, xor-shift, twice) keyed from the seed:
    deterministic, never repeating, with no set of used codes to keep.
    """

    BITS = 45
    MASK = (1 << BITS) - 1

    def __init__(self, rng: random.Random):
        self.a = rng.getrandbits(self.BITS) | 1
        self.b = rng.getrandbits(self.BITS)
        self.c = rng.getrandbits(self.BITS) | 1
        self.n = 0

    def fork(self, start: int) -> HouseCodes:
        """The same codes, counted on from `start`: disjoint ranges never share a code."""
        other = HouseCodes.__new__(HouseCodes)
        other.a, other.b, other.c, other.n = self.a, self.b, self.c, start
        return other

    def next(self) -> str:
        self.n += 1
        x = (self.n * self.a + self.b) & self.MASK
        x ^= x >> 23
        x = (x * self.c) & self.MASK
        x ^= x >> 19
        chars = []
        for _ in range(9):
            x, r = divmod(x, 32)
            chars.append(HOUSE_CODE_ALPHABET[r])
        return "H" + "".join(reversed(chars))


@dataclass(slots=True)
class _Stream:
    rng: random.Random
    house_codes: HouseCodes
    people: PopulationMaker


class DemoGenerator:
    def __init__(self, scale: str = "small", seed: int = 1, communities: int | None = None):
        if scale not in SCALES:
            raise ValueError(f"unknown scale {scale!r}; choose one of {', '.join(SCALES)}")
        self.scale = SCALES[scale]
        self.seed = seed
        self.rng = random.Random(seed)
        self.county = NodePlan(Level.COUNTY.value, COUNTY_CODE, self.scale.name, "", self.scale.bbox)
        stubs = self._layout()
        self.stubs = stubs[:communities] if communities else stubs
        ids = IdAllocator(COUNTY_CODE[:6], self.rng)
        house_codes = HouseCodes(self.rng)
        if self.scale.streams == 1:
            self._streams = [_Stream(self.rng, house_codes, PopulationMaker(self.rng, ids))]
        else:
            self._streams = []
            for k in range(self.scale.streams):
                rng = random.Random(f"{seed}:stream:{k}")
                maker = PopulationMaker(rng, ids.fork(self.scale.streams, k))
                self._streams.append(_Stream(rng, house_codes.fork(k * STREAM_HOUSES), maker))
        self.towns = list(dict.fromkeys(s.town.code for s in self.stubs))
        self._use(self._streams[0])

    @property
    def streams(self) -> int:
        return self.scale.streams

    def stream_of(self, stub: CommunityStub) -> int:
        return self.towns.index(stub.town.code) % self.scale.streams

    def _use(self, stream: _Stream) -> None:
        self.rng, self.house_codes, self.people = stream.rng, stream.house_codes, stream.people

    # --- layout

    def _layout(self) -> list[CommunityStub]:
        rng, sc = self.rng, self.scale
        kinds = ([Kind.SUBDISTRICT.value] * sc.subdistricts) + ([Kind.TOWNSHIP.value] * sc.townships)
        taken: set[str] = set()
        sub_names = names.pick_unique(rng, sc.subdistrict_stems, sc.subdistricts, taken)
        town_names = names.pick_unique(rng, names.TOWN_STEMS, sc.townships, taken)
        stubs: list[CommunityStub] = []
        relocation_kinds = [
            RelocationType.POVERTY.value,
            RelocationType.ECOLOGICAL.value,
            RelocationType.RESERVOIR.value,
        ]
        for i, (kind, box) in enumerate(zip(kinds, tile(sc.bbox, len(kinds)), strict=True)):
            if kind == Kind.SUBDISTRICT:
                number = i + 1
                name = sub_names[i] + "街道"
                urban, villages = rng.randint(*sc.urban_per_subdistrict), 0
            else:
                number = 101 + i - sc.subdistricts
                name = town_names[i - sc.subdistricts] + "镇"
                urban, villages = rng.randint(*sc.urban_per_township), rng.randint(*sc.villages_per_township)
            town = NodePlan(Level.TOWN.value, f"{COUNTY_CODE[:6]}{number:03d}000", name, kind, box)
            community_names: set[str] = set()
            urban_names = names.pick_unique(rng, names.URBAN_STEMS, urban, community_names)
            village_names = names.pick_unique(rng, names.VILLAGE_STEMS, villages, community_names)
            boxes = tile(box, urban + villages)
            for j in range(urban):
                node = NodePlan(
                    Level.COMMUNITY.value,
                    f"{town.code[:9]}{j + 1:03d}",
                    urban_names[j] + "社区",
                    Kind.URBAN.value,
                    boxes[j],
                )
                stubs.append(CommunityStub(node, town, "urban"))
            for j in range(villages):
                node = NodePlan(
                    Level.COMMUNITY.value,
                    f"{town.code[:9]}{201 + j:03d}",
                    village_names[j] + "村",
                    Kind.VILLAGE.value,
                    boxes[urban + j],
                )
                # Every third village is a resettlement site, of a kind that turns with the town.
                relocation = relocation_kinds[(i + j // 3) % 3] if j % 3 == 0 else ""
                stubs.append(CommunityStub(node, town, "village", relocation))
        return stubs

    # --- people

    def communities(self, stream: int | None = None) -> Iterator[CommunityPlan]:
        """Every community in layout order, or only those of one stream (the same plans either way)."""
        for stub in self.stubs:
            k = self.stream_of(stub) if self.scale.streams > 1 else 0
            if stream is None or stream == k:
                self._use(self._streams[k])
                yield self._community(stub)

    def _community(self, stub: CommunityStub) -> CommunityPlan:
        rng, sc = self.rng, self.scale
        urban = stub.setting == "urban"
        count = rng.randint(*(sc.urban_grids if urban else sc.village_grids))
        compounds = names.pick_unique(rng, names.COMPOUNDS, count, set()) if urban else []
        grids = []
        for g, box in enumerate(tile(stub.node.box, count), start=1):
            if urban:
                place = compounds[g - 1]
                grid_name = f"{place}网格"
            else:
                place = f"{stub.node.name}{g}组"
                grid_name = f"第{names.chinese_number(g)}网格（{names.chinese_number(g)}组）"
            grid = GridPlan(
                NodePlan(Level.GRID.value, f"{stub.node.code}{g:03d}", grid_name, "", box), place=place
            )
            self._units(stub, grid, urban)
            self._party_members(grid)
            grids.append(grid)
        return CommunityPlan(stub, grids)

    def _units(self, stub: CommunityStub, grid: GridPlan, urban: bool) -> None:
        rng, sc = self.rng, self.scale
        count = rng.randint(*(sc.urban_units if urban else sc.village_units))
        road = f"{rng.choice(names.ROADS)}{rng.randint(1, 320)}号" if urban else ""
        door = 0
        for u, box in enumerate(tile(grid.node.box, count), start=1):
            building, entrance = (u + 1) // 2, 2 - u % 2
            name = f"{building}栋{entrance}单元" if urban else f"第{names.chinese_number(u)}单元"
            unit = UnitPlan(NodePlan(Level.UNIT.value, f"{grid.node.code}{u:03d}", name, "", box))
            x0, y0, x1, y1 = box
            # A building stands at one spot; village houses scatter over the unit.
            spot = (x0 + (x1 - x0) * rng.uniform(0.3, 0.7), y0 + (y1 - y0) * rng.uniform(0.3, 0.7))
            house = None
            for k in range(rng.randint(*sc.households_per_unit)):
                household = self.people.household(stub.setting, stub.relocation)
                household.number = f"{unit.node.code}{k + 1:04d}"
                # Now and then a second household (often tenants) shares a house.
                if house is not None and rng.random() < (0.04 if urban else 0.02):
                    house.households.append(household)
                    continue
                if urban:
                    floor, room = len(unit.houses) // 2 + 1, len(unit.houses) % 2 + 1
                    address = f"{road}{grid.place}{name}{floor}0{room}室"
                    lon = spot[0] + rng.uniform(-1, 1) * (x1 - x0) * 0.02
                    lat = spot[1] + rng.uniform(-1, 1) * (y1 - y0) * 0.02
                else:
                    door += 1
                    address = f"{grid.place}{door}号"
                    lon = x0 + (x1 - x0) * rng.uniform(0.05, 0.95)
                    lat = y0 + (y1 - y0) * rng.uniform(0.05, 0.95)
                house = HousePlan(self.house_codes.next(), address, round(lon, 6), round(lat, 6), [household])
                unit.houses.append(house)
            grid.units.append(unit)

    def _party_members(self, grid: GridPlan) -> None:
        """A few party members in each grid, from the adults who live there."""
        rng = self.rng
        candidates = [
            p
            for unit in grid.units
            for house in unit.houses
            for hh in house.households
            for p in hh.members
            if 22 <= p.age <= 85
            and p.status == ResidentStatus.PRESENT
            and p.residence_type != ResidenceType.FLOATING
        ]
        for person in rng.sample(candidates, min(len(candidates), rng.randint(3, 7))):
            joined_age = rng.randint(19, min(person.age, 45))
            joined = person.birth_date.replace(year=person.birth_date.year + joined_age, day=1)
            inservice = person.age < 60 and rng.random() < 0.25
            person.party = PartyPlan(
                joined_on=min(joined, REFERENCE_DATE),
                inservice=inservice,
                workplace=rng.choice(names.WORKPLACES) if inservice else "",
            )

    # --- logins

    def login_names(self, count: int) -> list[str]:
        """Chinese display names for the demo logins (their own stream: the county does not change)."""
        rng = random.Random(f"{self.seed}:logins")
        return [
            names.full_name(rng, names.surname(rng), rng.choice(("male", "female")), rng.randint(1965, 1998))
            for _ in range(count)
        ]
