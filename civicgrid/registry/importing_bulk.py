"""The bulk writer of large registry imports: a batch of checked rows at a time, in set-wise SQL.

It writes what the ORM writer in `importing._write` writes, row for row: residents (their ID number
and phone encrypted, with keyed hashes), "moved in" history, households created on the way (each
audited), heads, tags, updates of people already registered, and the import's own audit record.
On PostgreSQL new rows go in with COPY; on SQLite with executemany, in the caller's transaction.
Ids of rows that others point to are taken before the insert (from the sequence on PostgreSQL; on
SQLite the import's transaction holds the write lock), so no row has to be read back.
"""

from __future__ import annotations

import json
import time
from collections import defaultdict

from cryptography.fernet import Fernet
from django.conf import settings
from django.db import connection, models
from django.utils.translation import gettext as _

from civicgrid.audit.models import AuditEvent
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, paths
from civicgrid.core.errors import ApplicationError
from civicgrid.registry.models import (
    Household,
    HouseholdStatus,
    ImportJob,
    MoveKind,
    Resident,
    ResidentMove,
    Tagging,
    TagTarget,
)
from civicgrid.registry.services import RESIDENT_FIELDS
from civicgrid.territory.models import Territory


def apply_changes(resident: Resident, clean: dict) -> bool:
    """Set on `resident` the imported values that differ; True when any did (the row is "updated")."""
    changed = [k for k in RESIDENT_FIELDS if k in clean and getattr(resident, k) != clean[k]]
    if (clean.get("phone_hash") or "") != (resident.phone_hash or "") and "phone" in clean:
        resident.phone, resident.phone_hash = clean["phone"], clean["phone_hash"]
        changed.append("phone")
    for k in changed:
        if k != "phone":
            setattr(resident, k, clean[k])
    return bool(changed)


class Table:
    """One table's insert: its columns in model order, and the statement each backend uses."""

    def __init__(self, model: type[models.Model], *, with_id: bool):
        fields = [f for f in model._meta.concrete_fields if with_id or not f.primary_key]
        self.names = [f.attname for f in fields]
        self.table = model._meta.db_table
        cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        self.copy_sql = f"COPY {connection.ops.quote_name(self.table)} ({cols}) FROM STDIN"
        marks = ", ".join(["%s"] * len(fields))
        # Table and column names come from the model, never from the file.
        self.insert_sql = f"INSERT INTO {connection.ops.quote_name(self.table)} ({cols}) VALUES ({marks})"  # noqa: S608
        # SQLite stores dates and times as the text Django's own adapters make of them.
        adapt = {
            models.DateTimeField: connection.ops.adapt_datetimefield_value,
            models.DateField: connection.ops.adapt_datefield_value,
        }
        self.adapters = [
            next((fn for kind, fn in adapt.items() if isinstance(f, kind)), None)
            if connection.vendor == "sqlite"
            else None
            for f in fields
        ]

    def insert(self, rows: list[dict]) -> None:
        if not rows:
            return
        names = self.names
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row([row[n] for n in names])
                return
            pairs = list(zip(names, self.adapters, strict=True))
            cursor.executemany(
                self.insert_sql,
                [[fn(row[n]) if fn and row[n] is not None else row[n] for n, fn in pairs] for row in rows],
            )


class BulkWriter:
    def __init__(self, job: ImportJob, actor):
        self.job = job
        self.actor = actor
        self.actor_id = actor.pk if getattr(actor, "pk", None) else None
        self.counts = {"created": 0, "updated": 0, "unchanged": 0}
        # The tokens protected.encrypt makes, with the key looked up once for the whole import.
        self.fernet = Fernet(settings.DATA_KEYS[0])
        self.residents = Table(Resident, with_id=True)
        self.households = Table(Household, with_id=True)
        self.moves = Table(ResidentMove, with_id=False)
        self.taggings = Table(Tagging, with_id=False)
        self.audit = Table(AuditEvent, with_id=False)
        self.unit_codes: dict[int, str] = {}
        self.numbers_under: dict[str, set[str]] = {}
        self.next_id: dict[str, int] = {}

    def _ids(self, model: type[models.Model], n: int) -> list[int]:
        if n == 0:
            return []
        table = model._meta.db_table
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, n]
                )
                return [r[0] for r in cursor.fetchall()]
            if table not in self.next_id:
                cursor.execute(f'SELECT max(id) FROM "{table}"')  # noqa: S608 - the model's table
                top = cursor.fetchone()[0] or 0
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                seq = cursor.fetchone()
                self.next_id[table] = max(top, seq[0] if seq else 0) + 1
        first = self.next_id[table]
        self.next_id[table] = first + n
        return list(range(first, first + n))

    def _encrypt(self, values: list[str], now: int) -> list[str]:
        f = self.fernet
        return [f.encrypt_at_time(v.encode(), now).decode() if v else "" for v in values]

    def _generated_number(self, house) -> str:
        """What `services.next_household_number` gives, without its queries for every household."""
        if house.unit_id not in self.unit_codes:
            self.unit_codes[house.unit_id] = Territory.objects.values_list("code", flat=True).get(
                pk=house.unit_id
            )
        base = self.unit_codes[house.unit_id]
        if base not in self.numbers_under:
            self.numbers_under[base] = set(
                Household.objects.filter(number__startswith=base).values_list("number", flat=True)
            )
        taken = self.numbers_under[base]
        n = len(taken) + 1
        while f"{base}{n:04d}" in taken:
            n += 1
        return f"{base}{n:04d}"

    def _taken(self, number: str) -> None:
        for base, taken in self.numbers_under.items():
            if number.startswith(base):
                taken.add(number)

    def write(self, batch: list) -> None:
        if not batch:
            return
        now = clock.now()
        existing = {
            r.id_number_hash: r
            for r in Resident.objects.filter(id_number_hash__in=[c.clean["id_number_hash"] for c in batch])
        }
        new, updated, tag_pairs = [], [], []
        for item in batch:
            resident = existing.get(item.clean["id_number_hash"])
            if resident is None:
                new.append(item)
                continue
            if not paths.is_within(resident.territory_path, self.job.territory_path):
                raise ApplicationError(
                    _("Row %(row)s: this person is registered in another place.") % {"row": item.row.number}
                )
            if apply_changes(resident, item.clean):
                resident.updated_at = now
                updated.append(resident)
                self.counts["updated"] += 1
            else:
                self.counts["unchanged"] += 1
            tag_pairs += [
                (tag, resident.pk, resident.household_id, resident.territory_path) for tag in item.tags
            ]
        if updated:
            Resident.objects.bulk_update(
                updated, [*RESIDENT_FIELDS, "phone", "phone_hash", "updated_at"], batch_size=500
            )
        tag_pairs += self._create(new, now)
        self._tag(tag_pairs)

    def _households_of(self, new: list, now) -> tuple[list[dict], dict]:
        """Each new resident's household, as `importing._household_for` picks or makes it."""
        numbers = {(c.row.values.get("household_number") or "").strip() for c in new} - {""}
        by_number = {
            h[1]: {"id": h[0], "number": h[1], "house_id": h[2], "territory_path": h[3], "head_id": h[4]}
            for h in Household.objects.filter(number__in=numbers).values_list(
                "id", "number", "house_id", "territory_path", "head_id"
            )
        }
        first_active: dict[int, dict] = {}
        bare = {c.house.pk for c in new if not (c.row.values.get("household_number") or "").strip()}
        for h in (
            Household.objects.filter(house_id__in=bare, status=HouseholdStatus.ACTIVE)
            .order_by("house_id", "id")
            .values_list("id", "number", "house_id", "territory_path", "head_id")
        ):
            first_active.setdefault(
                h[2], {"id": h[0], "number": h[1], "house_id": h[2], "territory_path": h[3], "head_id": h[4]}
            )
        made: list[dict] = []
        picked = []
        for c in new:
            number = (c.row.values.get("household_number") or "").strip()
            household = by_number.get(number) if number else first_active.get(c.house.pk)
            if household is not None and household["house_id"] != c.house.pk:
                raise ApplicationError(_("Household %(n)s belongs to another house.") % {"n": number})
            if household is None:
                household = {
                    "house_id": c.house.pk,
                    "number": number or self._generated_number(c.house),
                    "territory_path": c.house.territory_path,
                    "head_id": None,
                    "house_code": c.house.house_code,
                    "new": True,
                }
                made.append(household)
                by_number[household["number"]] = household
                self._taken(household["number"])
                if not number:
                    first_active[c.house.pk] = household
            picked.append(household)
        for household, pk in zip(made, self._ids(Household, len(made)), strict=True):
            household.update(
                id=pk, created_at=now, updated_at=now, status=HouseholdStatus.ACTIVE.value, notes=""
            )
        return picked, made

    def _create(self, new: list, now) -> list[tuple]:
        if not new:
            return []
        picked, made = self._households_of(new, now)
        ids = self._ids(Resident, len(new))
        stamp = int(time.time())
        id_tokens = self._encrypt([c.clean["id_number"] for c in new], stamp)
        phone_tokens = self._encrypt([c.clean.get("phone", "") for c in new], stamp)
        today = clock.today()
        note = self.job.filename[:200]
        residents, moves, tag_pairs, heads = [], [], [], {}
        for c, household, pk, id_token, phone_token in zip(
            new, picked, ids, id_tokens, phone_tokens, strict=True
        ):
            clean = c.clean
            path = household["territory_path"]
            residents.append(
                {
                    "id": pk,
                    "territory_path": path,
                    "created_at": now,
                    "updated_at": now,
                    "household_id": household["id"],
                    "relation": clean.get("relation", "other"),
                    "name": clean["name"],
                    "gender": clean["gender"],
                    "birth_date": clean["birth_date"],
                    "ethnicity": clean.get("ethnicity", "汉族"),
                    "id_number": id_token,
                    "id_number_hash": clean["id_number_hash"],
                    "phone": phone_token,
                    "phone_hash": clean.get("phone_hash", ""),
                    "residence_type": clean.get("residence_type", "registered"),
                    "relocation_type": clean.get("relocation_type", ""),
                    "status": clean.get("status", "present"),
                }
            )
            moves.append(
                {
                    "territory_path": path,
                    "resident_id": pk,
                    "kind": MoveKind.MOVE_IN.value,
                    "from_household_id": None,
                    "to_household_id": household["id"],
                    "on": today,
                    "note": note,
                    "recorded_at": now,
                }
            )
            if clean.get("relation") == "head" and household["head_id"] is None:
                household["head_id"] = pk
                if not household.get("new"):
                    heads[household["id"]] = pk
            tag_pairs += [(tag, pk, household["id"], path, True) for tag in c.tags]
        self.households.insert(made)
        self.audit.insert(
            [
                {
                    "at": now,
                    "actor_id": self.actor_id,
                    "action": "household.create",
                    "object_type": Household._meta.label_lower,
                    "object_id": str(h["id"]),
                    "object_repr": h["number"][:200],
                    "territory_path": h["territory_path"],
                    "summary": json.dumps({"number": h["number"], "house": h["house_code"], "via": "import"}),
                }
                for h in made
            ]
        )
        self.residents.insert(residents)
        self.moves.insert(moves)
        if heads:
            with connection.cursor() as cursor:
                cursor.executemany(
                    "UPDATE registry_household SET head_id = %s WHERE id = %s",
                    [(r, h) for h, r in heads.items()],
                )
        self.counts["created"] += len(new)
        return tag_pairs

    def _tag(self, pairs: list[tuple]) -> None:
        """Tags are added once (get_or_create): pairs already stored, or repeated, are left out."""
        if not pairs:
            return
        wanted: dict[tuple, str] = {}
        old_residents, old_households = set(), set()
        for pair in pairs:
            tag, resident_id, household_id, path = pair[:4]
            fresh = len(pair) > 4
            if tag.target == TagTarget.RESIDENT:
                key = (tag.pk, "resident", resident_id)
                if not fresh:
                    old_residents.add(resident_id)
            elif household_id is None:
                continue
            else:
                key = (tag.pk, "household", household_id)
                old_households.add(household_id)
            wanted.setdefault(key, path)
        held = defaultdict(set)
        if old_residents:
            for tag_id, rid in Tagging.objects.filter(resident_id__in=old_residents).values_list(
                "tag_id", "resident_id"
            ):
                held["resident"].add((tag_id, rid))
        if old_households:
            for tag_id, hid in Tagging.objects.filter(household_id__in=old_households).values_list(
                "tag_id", "household_id"
            ):
                held["household"].add((tag_id, hid))
        today = clock.today()
        self.taggings.insert(
            [
                {
                    "territory_path": path,
                    "tag_id": tag_id,
                    "resident_id": target if kind == "resident" else None,
                    "household_id": target if kind == "household" else None,
                    "since": today,
                    "until": None,
                }
                for (tag_id, kind, target), path in wanted.items()
                if (tag_id, target) not in held[kind]
            ]
        )

    def finish(self) -> dict:
        audit_record(
            actor=self.actor,
            action="registry.import",
            obj=self.job,
            summary={"file": self.job.filename, **self.counts, "skipped": len(self.job.errors)},
        )
        return self.counts
