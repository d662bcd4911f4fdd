"""Writing the demo county: territory, organisations and logins through the services, people in bulk.

On PostgreSQL each community's grids, units, party branches and people go in by COPY
(`civicgrid.demo.copyload`), with the same rows and audit events as the ORM path that SQLite uses.
One community at a time, each in its own transaction, so the county scale streams; the small scale
runs in one transaction, so a failed load leaves nothing behind. Loading twice does nothing: a county
with the demo code is detected first.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection, connections, reset_queries, transaction
from django.db.models import OuterRef, Subquery

from civicgrid.accounts.roles import Role
from civicgrid.accounts.services import role_assign, user_create
from civicgrid.audit.models import AuditEvent
from civicgrid.audit.services import audit_record
from civicgrid.core import paths
from civicgrid.core.protected import blind_index
from civicgrid.demo import copyload
from civicgrid.demo.copyload import CommunityCopy
from civicgrid.demo.departments import DEPARTMENTS
from civicgrid.demo.generator import COUNTY_CODE, DEMO_PASSWORD, CommunityPlan, DemoGenerator, NodePlan
from civicgrid.demo.population import REFERENCE_DATE
from civicgrid.orgs.models import Organisation, OrgKind, PartyMembership
from civicgrid.orgs.services import organisation_create
from civicgrid.registry.models import (
    House,
    Household,
    MoveKind,
    ResidenceType,
    Resident,
    ResidentMove,
    Tag,
    Tagging,
)
from civicgrid.territory.models import Kind, Level, Territory
from civicgrid.territory.services import territory_create

try:
    import resource
except ImportError:  # not on Windows
    resource = None

BATCH = 500
LOAD_ACTION = "demo.load"
# Millions of rows are a job for COPY: these scales are not offered where only the ORM path runs.
POSTGRES_ONLY_SCALES = ("city",)

MOVE_NOTES = {
    ResidenceType.REGISTERED.value: "户籍登记",
    ResidenceType.FLOATING.value: "流动人口暂住登记",
    ResidenceType.RELOCATED.value: "易地搬迁安置入住",
}
HOUSEHOLD_NOTES = {"left_behind": "子女外出务工，祖辈照看孙辈", "shared_rental": "合租"}


class DemoError(Exception):
    """The demo cannot be loaded here (the message says why)."""


@dataclass
class LoadResult:
    created: bool
    complete: bool = True
    counts: Counter = field(default_factory=Counter)
    elapsed: float = 0.0
    peak_rss_mb: float = 0.0
    logins: list[tuple[str, str, str, str]] = field(default_factory=list)  # username, role, name, where


def peak_rss_mb() -> float:
    if resource is None:
        return 0.0
    # The largest of this process and the stream processes it waited for (kilobytes on Linux).
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    return peak / 1024


def demo_present() -> tuple[bool, bool]:
    """(is the demo county there, did its load finish)."""
    county = Territory.objects.filter(code=COUNTY_CODE).first()
    if county is None:
        return False, False
    done = AuditEvent.objects.filter(
        action=LOAD_ACTION, object_type="territory.territory", object_id=str(county.pk)
    ).exists()
    return True, done


def demo_load(
    *,
    scale: str = "small",
    seed: int = 1,
    communities: int | None = None,
    progress: Callable[[str], None] | None = None,
    copy: bool | None = None,
) -> LoadResult:
    """Load the demo county once. `copy` picks the write path; by default COPY on PostgreSQL."""
    fast = copyload.available()
    if copy is None:
        copy = fast
    if copy and not fast:
        raise DemoError("The COPY load path needs PostgreSQL.")
    if not fast and scale in POSTGRES_ONLY_SCALES:
        raise DemoError(
            f"The {scale} scale loads only into PostgreSQL; this database is {connection.vendor}."
        )
    present, done = demo_present()
    if present:
        return LoadResult(created=False, complete=done)
    started = time.monotonic()
    progress = progress or (lambda _msg: None)
    progress(f"Loading the demo county {COUNTY_CODE} ({scale} scale, seed {seed})…")
    loader = _Loader(DemoGenerator(scale, seed, communities), progress, copy)
    # The small county is all or nothing; the big one commits community by community.
    whole = transaction.atomic() if scale == "small" else contextlib.nullcontext()
    with whole:
        loader.run()
        result = LoadResult(created=True, counts=loader.counts, logins=loader.logins)
        result.elapsed = time.monotonic() - started
        result.peak_rss_mb = peak_rss_mb()
        with transaction.atomic():
            audit_record(
                actor=None,
                action=LOAD_ACTION,
                obj=loader.county,
                summary={
                    "scale": scale,
                    "seed": seed,
                    "communities_limit": communities,
                    "written_by": "copy" if copy else "orm",
                    "seconds": round(result.elapsed, 1),
                    **dict(loader.counts),
                },
            )
    return result


def _tag_since(person_or_household_key: str, floor: dt.date) -> dt.date:
    """A stable, spread-out "since" date for a tag, no earlier than `floor`."""
    days = int(person_or_household_key[-6:-1]) % 2200 if person_or_household_key[-6:-1].isdigit() else 400
    return max(floor, REFERENCE_DATE - dt.timedelta(days=days))


class _Loader:
    def __init__(self, generator: DemoGenerator, progress: Callable[[str], None], copy: bool):
        self.gen = generator
        self.progress = progress
        self.counts: Counter = Counter()
        self.logins: list[tuple[str, str, str, str]] = []
        self.tags = {t.code: t for t in Tag.objects.all()}
        self.county: Territory | None = None
        self.towns: dict[str, Territory] = {}
        self.departments: dict[str, Organisation] = {}
        self.first: dict[str, Territory] = {}  # nodes the logins sit on
        # The first urban community of the layout also holds the hospital, the women's federation…
        self.first_urban = next((s.node.code for s in generator.stubs if s.setting == "urban"), None)
        self.copy = CommunityCopy(self.tags, HOUSEHOLD_NOTES, MOVE_NOTES, _tag_since) if copy else None

    def run(self) -> None:
        started = time.monotonic()
        with transaction.atomic():
            self.county = self._node(self.gen.county, None)
            self._departments(self.county, "county")
        # Processes of their own need committed rows to build on, so inside a caller's transaction
        # (a test) the streams are loaded one after the other in this process instead.
        if self.gen.streams > 1 and self.copy is not None and not connection.in_atomic_block:
            self._run_streams(started)
        else:
            total = len(self.gen.stubs)
            for i, plan in enumerate(self.gen.communities(), start=1):
                self._load(plan, f"{i}/{total}", started)
        if self.copy is not None:
            self._first_from_codes()
        with transaction.atomic():
            self._logins()

    def _load(self, plan: CommunityPlan, where: str, started: float) -> None:
        with transaction.atomic():
            town = self.towns.get(plan.stub.town.code) or self._town(plan.stub.town)
            residents = self._community(town, plan)
        reset_queries()  # with DEBUG on, Django keeps every statement; a county would fill memory
        self.progress(
            f"  [{where}] {town.name} {plan.node.name}: {residents} residents "
            f"({time.monotonic() - started:.1f} s)"
        )

    def _run_streams(self, started: float) -> None:
        """One forked process per stream of towns; each commits community by community."""
        # The towns first, in layout order, so their paths do not depend on which process is quicker.
        with transaction.atomic():
            for stub in self.gen.stubs:
                if stub.town.code not in self.towns:
                    self._town(stub.town)
        connections.close_all()  # each process opens its own connection
        global _RUNNING
        _RUNNING = (self, started)
        try:
            with multiprocessing.get_context("fork").Pool(self.gen.streams) as pool:
                for counts in pool.map(_load_stream, range(self.gen.streams)):
                    self.counts.update(counts)
        finally:
            _RUNNING = None

    def _first_from_codes(self) -> None:
        """The nodes the logins sit on, found by the codes the layout gave them: the first town,
        community and village, the first community's first two grids and first unit."""
        stubs = self.gen.stubs
        community = stubs[0].node.code
        village = next((s.node.code for s in stubs if s.setting == "village"), None)
        wanted = {"community": community, "grid": community + "001", "sibling_grid": community + "002"}
        wanted["unit"] = community + "001001"
        if village:
            wanted["village"] = village
        nodes = {t.code: t for t in Territory.objects.filter(code__in=wanted.values())}
        self.first = {key: nodes[code] for key, code in wanted.items() if code in nodes}
        self.first["town"] = self.towns[stubs[0].town.code]

    # --- territory and organisations

    def _node(self, plan: NodePlan, parent: Territory | None) -> Territory:
        self.counts["territory_nodes"] += 1
        return territory_create(
            actor=None,
            level=plan.level,
            name=plan.name,
            code=plan.code,
            parent=parent,
            kind=plan.kind,
            boundary=plan.boundary,
        )

    def _org(self, **kwargs) -> Organisation:
        self.counts["organisations"] += 1
        return organisation_create(actor=None, **kwargs)

    def _town(self, plan: NodePlan) -> Territory:
        town = self._node(plan, self.county)
        self.towns[plan.code] = town
        self.first.setdefault("town", town)
        self._departments(town, "town")
        return town

    def _departments(self, node: Territory, level: str) -> None:
        for spec in DEPARTMENTS:
            if spec.level != level:
                continue
            name = spec.name.format(county=self.county.name, town=node.name)
            org = self._org(
                kind=OrgKind.DEPARTMENT,
                name=name,
                territory=node,
                categories=list(spec.categories),
                contact_phone=spec.phone,
            )
            self.departments.setdefault(spec.key, org)

    def _community(self, town: Territory, plan: CommunityPlan) -> int:
        community = self._node(plan.node, town)
        self.first.setdefault("community", community)
        if community.kind == Kind.VILLAGE:
            self.first.setdefault("village", community)
        committee = self._org(kind=OrgKind.PARTY_ORG, name=f"中共{community.name}委员会", territory=community)
        self._org(
            kind=OrgKind.MEDIATION_COMMITTEE, name=f"{community.name}人民调解委员会", territory=community
        )
        if self.copy is not None:
            counts = self.copy.write(community, committee, plan)
            self.counts.update(counts)
            if plan.node.code == self.first_urban:
                self._urban_extras(community, plan)
            return counts["residents"]
        units: dict[str, Territory] = {}
        branches: dict[str, Organisation] = {}
        for grid_plan in plan.grids:
            grid = self._node(grid_plan.node, community)
            branches[grid_plan.node.code] = self._org(
                kind=OrgKind.PARTY_ORG, name=f"{grid.name}党支部", territory=grid, parent=committee
            )
            if community == self.first["community"]:
                self.first.setdefault("grid", grid)
                if grid != self.first["grid"]:
                    self.first.setdefault("sibling_grid", grid)
            for unit_plan in grid_plan.units:
                unit = units[unit_plan.node.code] = self._node(unit_plan.node, grid)
                self.first.setdefault("unit", unit)
        if community.kind == Kind.URBAN and "urban_extras" not in self.first:
            self.first["urban_extras"] = community
            self._urban_extras(community, plan)
        return self._people(community, plan, units, branches)

    def _urban_extras(self, community: Territory, plan: CommunityPlan) -> None:
        compound = plan.grids[0].place
        self._org(kind=OrgKind.PARTNER_UNIT, name=f"{self.county.name}人民医院党总支", territory=community)
        self._org(kind=OrgKind.MASS_ORG, name=f"{community.name}妇女联合会", territory=community)
        self._org(
            kind=OrgKind.PROPERTY_COMPANY,
            name=f"{self.county.name}安居物业服务有限公司",
            territory=community,
            contact_phone="0856-6230088",
        )
        self._org(kind=OrgKind.OWNERS_COMMITTEE, name=f"{compound}业主委员会", territory=community)

    # --- people, in bulk

    def _people(
        self,
        community: Territory,
        plan: CommunityPlan,
        units: dict[str, Territory],
        branches: dict[str, Organisation],
    ) -> int:
        houses, households, household_plans, residents, person_plans = [], [], [], [], []
        for grid_plan in plan.grids:
            branch = branches[grid_plan.node.code]
            for unit_plan in grid_plan.units:
                unit = units[unit_plan.node.code]
                for hp in unit_plan.houses:
                    house = House(
                        unit=unit,
                        territory_path=unit.path,
                        house_code=hp.code,
                        address=hp.address,
                        lon=hp.lon,
                        lat=hp.lat,
                    )
                    houses.append(house)
                    for hh in hp.households:
                        households.append(
                            Household(
                                house=house,
                                number=hh.number,
                                territory_path=unit.path,
                                notes=HOUSEHOLD_NOTES.get(hh.shape, ""),
                            )
                        )
                        household_plans.append((hh, branch))
        House.objects.bulk_create(houses, batch_size=BATCH)
        Household.objects.bulk_create(households, batch_size=BATCH)
        for household, (hh, _branch) in zip(households, household_plans, strict=True):
            for p in hh.members:
                residents.append(
                    Resident(
                        household=household,
                        territory_path=household.territory_path,
                        relation=p.relation,
                        name=p.name,
                        gender=p.gender,
                        birth_date=p.birth_date,
                        ethnicity=p.ethnicity,
                        id_number=p.id_number,
                        id_number_hash=blind_index("id_number", p.id_number),
                        phone=p.phone,
                        phone_hash=blind_index("phone", p.phone) if p.phone else "",
                        residence_type=p.residence_type,
                        relocation_type=p.relocation_type,
                        status=p.status,
                    )
                )
                person_plans.append(p)
        Resident.objects.bulk_create(residents, batch_size=BATCH)
        # Each household's head is the member whose relation is "head": one statement for the community.
        Household.objects.filter(paths.subtree_q("territory_path", community.path)).update(
            head=Subquery(Resident.objects.filter(household=OuterRef("pk"), relation="head").values("pk")[:1])
        )
        self._taggings(households, household_plans, residents, person_plans)
        self._moves(residents, person_plans)
        self._memberships(residents, person_plans, household_plans, households)
        self.counts["houses"] += len(houses)
        self.counts["households"] += len(households)
        self.counts["residents"] += len(residents)
        return len(residents)

    def _taggings(self, households, household_plans, residents, person_plans) -> None:
        rows = []
        for household, (hh, _branch) in zip(households, household_plans, strict=True):
            for code in hh.tags:
                since = _tag_since(household.number, hh.members[0].moved_in)
                rows.append(
                    Tagging(
                        tag=self.tags[code],
                        household=household,
                        since=since,
                        territory_path=household.territory_path,
                    )
                )
        for resident, p in zip(residents, person_plans, strict=True):
            for code in p.tags:
                rows.append(
                    Tagging(
                        tag=self.tags[code],
                        resident=resident,
                        since=_tag_since(p.id_number, p.moved_in),
                        territory_path=resident.territory_path,
                    )
                )
        Tagging.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["taggings"] += len(rows)

    def _moves(self, residents, person_plans) -> None:
        rows = [
            ResidentMove(
                resident=r,
                kind=MoveKind.MOVE_IN,
                to_household_id=r.household_id,
                on=p.moved_in,
                note=MOVE_NOTES[p.residence_type],
                territory_path=r.territory_path,
            )
            for r, p in zip(residents, person_plans, strict=True)
        ]
        ResidentMove.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["moves"] += len(rows)

    def _memberships(self, residents, person_plans, household_plans, households) -> None:
        branch_of = {h.pk: branch for h, (_hh, branch) in zip(households, household_plans, strict=True)}
        rows = []
        for r, p in zip(residents, person_plans, strict=True):
            if p.party is None:
                continue
            branch = branch_of[r.household_id]
            rows.append(
                PartyMembership(
                    resident=r,
                    organisation=branch,
                    joined_on=p.party.joined_on,
                    inservice=p.party.inservice,
                    workplace=p.party.workplace,
                    since=max(p.party.joined_on, p.moved_in),
                    territory_path=branch.territory_path,
                )
            )
        PartyMembership.objects.bulk_create(rows, batch_size=BATCH)
        self.counts["party_members"] += len(rows)

    # --- logins

    def _placements(self) -> list[tuple[str, str, Territory, Organisation | None]]:
        """(username, role, node, organisation) for every role, plus a second grid chief next door."""
        first = self.first
        where = {
            Role.TOWN_OFFICER: first["town"],
            Role.STATIONED_CADRE: first.get("village", first["community"]),
            Role.GRID_CHIEF: first["grid"],
            Role.GRID_WORKER: first["grid"],
            Role.PARTY_MEMBER: first["grid"],
            Role.UNIT_CHIEF: first["unit"],
            Role.HOUSEHOLD_HEAD: first["unit"],
            Role.DEPARTMENT_HANDLER: self.county,
        }
        out = []
        for role in Role:
            org = self.departments["housing"] if role == Role.DEPARTMENT_HANDLER else None
            out.append((role.value, role.value, where.get(role, first["community"]), org))
            if role == Role.GRID_CHIEF and "sibling_grid" in first:
                out.append(("grid_chief_b", role.value, first["sibling_grid"], None))
        return out

    def _logins(self) -> None:
        User = get_user_model()
        placements = self._placements() + [("admin", "superuser", self.county, None)]
        display = self.gen.login_names(len(placements))
        password = make_password(DEMO_PASSWORD)  # hashed once: the demo logins share one password
        for (username, role, node, org), name in zip(placements, display, strict=True):
            where = _where(node) + (f" · {org.name}" if org else "")
            if User.objects.filter(username=username).exists():
                self.logins.append((username, role, "", f"{where} (existing user, left unchanged)"))
                continue
            user = user_create(actor=None, username=username, password=None, display_name=name)
            if role == "superuser":
                User.objects.filter(pk=user.pk).update(password=password, is_staff=True, is_superuser=True)
                where = _where(node) + " (superuser)"
            else:
                User.objects.filter(pk=user.pk).update(password=password)
                role_assign(actor=None, user=user, role=role, territory=node, organisation=org)
            self.counts["users"] += 1
            self.logins.append((username, role, name, where))


_RUNNING: tuple[_Loader, float] | None = None  # what a forked stream process loads


def _load_stream(stream: int) -> Counter:
    loader, started = _RUNNING
    loader.counts = Counter()
    plans = loader.gen.communities(stream=stream)
    total = sum(1 for s in loader.gen.stubs if loader.gen.stream_of(s) == stream)
    for i, plan in enumerate(plans, start=1):
        loader._load(plan, f"{stream + 1}:{i}/{total}", started)
        sys.stdout.flush()  # a pool process leaves without flushing what it printed
    connections.close_all()
    return loader.counts


def _where(node: Territory) -> str:
    """The node's place from its town down, e.g. "梵净镇 › 新街社区 › 紫荆苑网格"."""
    parts = []
    while node is not None:
        parts.append(node.name)
        if node.level in (Level.COUNTY, Level.CITY):
            break
        node = node.parent
    if len(parts) > 1:
        parts.pop()  # the county is the same for every login
    return " › ".join(reversed(parts))
