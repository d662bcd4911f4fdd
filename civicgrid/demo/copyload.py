"""The demo's fast path on PostgreSQL: a community's grids, units, party branches and people by COPY.

The rows are the ones the ORM path writes (`civicgrid.demo.loader`), field for field: the same
territory nodes and party branches with the audit events their services record, and the same houses,
households, residents, tags, moves and memberships. Ids come from the tables' own sequences, taken in
the order the ORM path would take them, so a load by either path numbers its rows alike. Personal
fields are encrypted and hashed with the product's own functions, a community at a time; nothing is
ever stored in the clear.
"""

from __future__ import annotations

import json
from collections import Counter

from django.db import connection, models

from civicgrid.audit.models import AuditEvent
from civicgrid.core import clock
from civicgrid.core.protected import blind_index, encrypt
from civicgrid.demo.generator import CommunityPlan, NodePlan
from civicgrid.orgs.models import Organisation, OrgKind, PartyLevel, PartyMembership
from civicgrid.registry.models import (
    House,
    Household,
    HouseholdStatus,
    MoveKind,
    Resident,
    ResidentMove,
    Tagging,
)
from civicgrid.territory import geometry
from civicgrid.territory.models import Territory

HEAD = "head"


def available() -> bool:
    return connection.vendor == "postgresql"


class _Table:
    """A COPY into one model's table, naming every concrete column so a new field fails loudly."""

    def __init__(self, model: type[models.Model], names: tuple[str, ...]):
        fields = {f.attname: f for f in model._meta.concrete_fields}
        if set(fields) != set(names):
            raise RuntimeError(
                f"the demo's COPY of {model._meta.label} is out of date: "
                f"missing {sorted(set(fields) - set(names))}, unknown {sorted(set(names) - set(fields))}"
            )
        columns = ", ".join(f'"{fields[n].column}"' for n in names)
        self.sql = f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN'

    def write(self, cursor, rows: list[tuple]) -> None:
        if not rows:
            return
        with cursor.copy(self.sql) as copy:
            for row in rows:
                copy.write_row(row)


TERRITORY = _Table(
    Territory,
    (
        "id",
        "parent_id",
        "path",
        "level",
        "kind",
        "code",
        "name",
        "boundary",
        "min_lon",
        "min_lat",
        "max_lon",
        "max_lat",
        "retired_at",
    ),
)
ORGANISATION = _Table(
    Organisation,
    (
        "id",
        "created_at",
        "updated_at",
        "territory_path",
        "kind",
        "name",
        "territory_id",
        "parent_id",
        "party_level",
        "categories",
        "contact_phone",
        "active",
    ),
)
AUDIT = _Table(
    AuditEvent,
    (
        "id",
        "at",
        "actor_id",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "territory_path",
        "summary",
    ),
)
HOUSE = _Table(
    House,
    ("id", "created_at", "updated_at", "territory_path", "unit_id", "house_code", "address", "lon", "lat"),
)
HOUSEHOLD = _Table(
    Household,
    ("id", "created_at", "updated_at", "territory_path", "house_id", "number", "head_id", "status", "notes"),
)
RESIDENT = _Table(
    Resident,
    (
        "id",
        "created_at",
        "updated_at",
        "territory_path",
        "household_id",
        "relation",
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "id_number",
        "id_number_hash",
        "phone",
        "phone_hash",
        "residence_type",
        "relocation_type",
        "status",
    ),
)
TAGGING = _Table(Tagging, ("id", "territory_path", "tag_id", "resident_id", "household_id", "since", "until"))
MOVE = _Table(
    ResidentMove,
    (
        "id",
        "territory_path",
        "resident_id",
        "kind",
        "from_household_id",
        "to_household_id",
        "on",
        "note",
        "recorded_at",
    ),
)
MEMBERSHIP = _Table(
    PartyMembership,
    (
        "id",
        "territory_path",
        "resident_id",
        "organisation_id",
        "joined_on",
        "inservice",
        "workplace",
        "since",
        "until",
    ),
)


def _ids(cursor, model: type[models.Model], count: int) -> list[int]:
    """`count` fresh ids from the table's own sequence, as the ORM's inserts would have taken them."""
    if not count:
        return []
    table = model._meta.db_table
    cursor.execute(
        "SELECT min(v), max(v) FROM (SELECT nextval(pg_get_serial_sequence(%s, 'id')) AS v"
        " FROM generate_series(1, %s)) s",
        [table, count],
    )
    low, high = cursor.fetchone()
    if high - low + 1 == count:  # nobody else took one meanwhile: a plain range, nothing to fetch
        return list(range(low, high + 1))
    cursor.execute(
        "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
    )
    return sorted(r[0] for r in cursor.fetchall())


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


class CommunityCopy:
    """Everything under one community that the ORM path writes row by row, in a handful of COPYs."""

    def __init__(self, tags: dict, notes: dict, move_notes: dict, tag_since):
        self.tag_ids = {code: tag.pk for code, tag in tags.items()}
        self.household_notes = notes
        self.move_notes = move_notes
        self.tag_since = tag_since

    def write(self, community: Territory, committee: Organisation, plan: CommunityPlan) -> Counter:
        counts: Counter = Counter()
        now = clock.now()
        with connection.cursor() as wrapper:
            cursor = wrapper.cursor  # psycopg's own cursor: Django's wrapper has no COPY
            unit_nodes = self._territory(cursor, community, committee, plan, now, counts)
            self._people(cursor, plan, unit_nodes, now, counts)
        return counts

    # --- grids, units and their party branches, each with the audit event its service records

    def _territory(self, cursor, community, committee, plan, now, counts) -> dict[str, tuple]:
        grids = plan.grids
        node_count = len(grids) + sum(len(g.units) for g in grids)
        node_ids = iter(_ids(cursor, Territory, node_count))
        org_ids = iter(_ids(cursor, Organisation, len(grids)))
        audit_ids = iter(_ids(cursor, AuditEvent, node_count + len(grids)))
        nodes, orgs, events = [], [], []
        units: dict[str, tuple] = {}  # unit code -> (id, path, branch id, branch path)

        def node(plan_node: NodePlan, parent_id: int, parent_code: str, path: str) -> int:
            pk = next(node_ids)
            boundary = plan_node.boundary
            bbox = geometry.validate_boundary(boundary)
            nodes.append(
                (pk, parent_id, path, plan_node.level, plan_node.kind, plan_node.code, plan_node.name,
                 _json(boundary), *bbox, None)
            )  # fmt: skip
            summary = {
                "level": plan_node.level,
                "code": plan_node.code,
                "name": plan_node.name,
                "parent": parent_code,
            }
            events.append(
                (next(audit_ids), now, None, "territory.create", "territory.territory", str(pk),
                 plan_node.name[:200], path, _json(summary))
            )  # fmt: skip
            return pk

        for g, grid_plan in enumerate(grids, start=1):
            grid_path = community.path + f"{g:04d}"
            grid_id = node(grid_plan.node, community.pk, community.code, grid_path)
            branch_id, branch_name = next(org_ids), f"{grid_plan.node.name}党支部"
            orgs.append(
                (branch_id, now, now, grid_path, OrgKind.PARTY_ORG.value, branch_name, grid_id, committee.pk,
                 PartyLevel.BRANCH.value, "[]", "", True)
            )  # fmt: skip
            summary = {"kind": OrgKind.PARTY_ORG.value, "name": branch_name, "territory": grid_plan.node.code,
                       "categories": []}  # fmt: skip
            events.append(
                (next(audit_ids), now, None, "organisation.create", "orgs.organisation", str(branch_id),
                 branch_name[:200], grid_path, _json(summary))
            )  # fmt: skip
            for u, unit_plan in enumerate(grid_plan.units, start=1):
                unit_path = grid_path + f"{u:04d}"
                unit_id = node(unit_plan.node, grid_id, grid_plan.node.code, unit_path)
                units[unit_plan.node.code] = (unit_id, unit_path, branch_id, grid_path)
        TERRITORY.write(cursor, nodes)
        ORGANISATION.write(cursor, orgs)
        AUDIT.write(cursor, events)
        counts["territory_nodes"] += len(nodes)
        counts["organisations"] += len(orgs)
        return units

    # --- people

    def _people(self, cursor, plan: CommunityPlan, units: dict[str, tuple], now, counts) -> None:
        flat = [
            (units[unit_plan.node.code], house)
            for grid_plan in plan.grids
            for unit_plan in grid_plan.units
            for house in unit_plan.houses
        ]
        households = [(unit, hh) for unit, house in flat for hh in house.households]
        people = [(unit, hh, p) for unit, hh in households for p in hh.members]
        house_ids = iter(_ids(cursor, House, len(flat)))
        household_ids = _ids(cursor, Household, len(households))
        resident_ids = _ids(cursor, Resident, len(people))

        # The personal fields of the whole community, encrypted and hashed in one pass each.
        id_numbers = [p.id_number for _u, _hh, p in people]
        phones = [p.phone for _u, _hh, p in people]
        id_cipher = [encrypt(v) for v in id_numbers]
        id_hash = [blind_index("id_number", v) for v in id_numbers]
        phone_cipher = [encrypt(v) if v else "" for v in phones]
        phone_hash = [blind_index("phone", v) if v else "" for v in phones]

        house_rows, household_rows, resident_rows = [], [], []
        hh_index = iter(range(len(households)))
        person_index = iter(range(len(people)))
        household_of: list[int] = []
        for (unit_id, unit_path, _b, _bp), house in flat:
            house_id = next(house_ids)
            house_rows.append(
                (house_id, now, now, unit_path, unit_id, house.code, house.address, house.lon, house.lat)
            )
            for hh in house.households:
                h = next(hh_index)
                head_id = None
                for p in hh.members:
                    i = next(person_index)
                    if head_id is None and p.relation == HEAD:
                        head_id = resident_ids[i]
                    household_of.append(household_ids[h])
                household_rows.append(
                    (household_ids[h], now, now, unit_path, house_id, hh.number, head_id,
                     HouseholdStatus.ACTIVE.value, self.household_notes.get(hh.shape, ""))
                )  # fmt: skip
        for i, ((_uid, unit_path, _b, _bp), _hh, p) in enumerate(people):
            resident_rows.append(
                (resident_ids[i], now, now, unit_path, household_of[i], p.relation, p.name, p.gender,
                 p.birth_date, p.ethnicity, id_cipher[i], id_hash[i], phone_cipher[i], phone_hash[i],
                 p.residence_type, p.relocation_type, p.status)
            )  # fmt: skip
        HOUSE.write(cursor, house_rows)
        HOUSEHOLD.write(cursor, household_rows)
        RESIDENT.write(cursor, resident_rows)
        self._taggings(cursor, households, household_ids, people, resident_ids, counts)
        self._moves(cursor, people, resident_ids, household_of, now, counts)
        self._memberships(cursor, people, resident_ids, counts)
        counts["houses"] += len(house_rows)
        counts["households"] += len(household_rows)
        counts["residents"] += len(resident_rows)

    def _taggings(self, cursor, households, household_ids, people, resident_ids, counts) -> None:
        planned = []
        for h, ((_uid, unit_path, _b, _bp), hh) in enumerate(households):
            for code in hh.tags:
                since = self.tag_since(hh.number, hh.members[0].moved_in)
                planned.append((unit_path, self.tag_ids[code], None, household_ids[h], since))
        for i, ((_uid, unit_path, _b, _bp), _hh, p) in enumerate(people):
            for code in p.tags:
                since = self.tag_since(p.id_number, p.moved_in)
                planned.append((unit_path, self.tag_ids[code], resident_ids[i], None, since))
        ids = _ids(cursor, Tagging, len(planned))
        TAGGING.write(cursor, [(pk, *row, None) for pk, row in zip(ids, planned, strict=True)])
        counts["taggings"] += len(planned)

    def _moves(self, cursor, people, resident_ids, household_of, now, counts) -> None:
        ids = _ids(cursor, ResidentMove, len(people))
        kind = MoveKind.MOVE_IN.value
        rows = [
            (ids[i], unit_path, resident_ids[i], kind, None, household_of[i], p.moved_in,
             self.move_notes[p.residence_type], now)
            for i, ((_uid, unit_path, _b, _bp), _hh, p) in enumerate(people)
        ]  # fmt: skip
        MOVE.write(cursor, rows)
        counts["moves"] += len(rows)

    def _memberships(self, cursor, people, resident_ids, counts) -> None:
        planned = [
            (branch_path, resident_ids[i], branch_id, p.party.joined_on, p.party.inservice, p.party.workplace,
             max(p.party.joined_on, p.moved_in))
            for i, ((_uid, _up, branch_id, branch_path), _hh, p) in enumerate(people)
            if p.party is not None
        ]  # fmt: skip
        ids = _ids(cursor, PartyMembership, len(planned))
        MEMBERSHIP.write(cursor, [(pk, *row, None) for pk, row in zip(ids, planned, strict=True)])
        counts["party_members"] += len(planned)
