"""ID numbers and phones are ciphertext at rest: a dump of the database holds no plaintext."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core import serializers
from django.db import connection

from civicgrid.audit.models import AuditEvent
from civicgrid.core import idcard
from civicgrid.core.protected import ProtectedValue, blind_index
from civicgrid.registry import services
from civicgrid.registry.models import Resident

PEOPLE = [  # name, ID number, phone: known values to look for in the dump
    ("甲某某", "11010519491231002X", "13911112222"),
    ("乙某某", "440524188001010014", "18688889999"),
    ("丙某某", idcard.make("520602", dt.date(1992, 7, 8), 41, male=False), "0856-5201314"),
]


def add_people(world) -> list[Resident]:
    household = world.households["a"]
    return [
        services.resident_add(
            actor=world.secretary,
            household=household,
            data={"name": name, "id_number": number, "phone": phone},
        )
        for name, number, phone in PEOPLE
    ]


def secrets_of(number: str, phone: str) -> list[bytes]:
    digits = "".join(ch for ch in phone if ch.isdigit())
    hidden = number[3:-4]  # the part a mask hides: region tail and birth date
    return [s.encode() for s in (number, number.lower(), number[:17], hidden, phone, digits)]


def dump_sqlite(tmp_path: Path) -> bytes:
    target = tmp_path / "dump.sqlite3"
    with connection.cursor() as cursor:
        cursor.execute("VACUUM INTO %s", [str(target)])
    return target.read_bytes()


def pg_dump_binary() -> str:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"), reverse=True):
        return str(candidate)
    found = shutil.which("pg_dump")
    assert found, "pg_dump is needed to check a PostgreSQL dump"
    return found


def dump_postgresql() -> bytes:
    params = connection.settings_dict
    command = [pg_dump_binary(), "--no-owner", "--dbname", params["NAME"]]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if params.get(key):
            command += [flag, str(params[key])]
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    result = subprocess.run(command, env=env, capture_output=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_dump_of_the_database_holds_no_plaintext_id_number_or_phone(world, tmp_path):
    residents = add_people(world)
    dump = dump_sqlite(tmp_path) if connection.vendor == "sqlite" else dump_postgresql()
    # The dump really holds the rows: names, plain digit columns and ciphertext are there.
    assert world.households["a"].number.encode() in dump
    for resident, (name, _number, _phone) in zip(residents, PEOPLE, strict=True):
        assert name.encode() in dump
        assert resident.id_number.ciphertext.encode() in dump
    for _name, number, phone in PEOPLE:
        for secret in secrets_of(number, phone):
            assert secret not in dump, f"plaintext {secret!r} found in the {connection.vendor} dump"
    for household in world.households.values():  # the personas' own residents too
        for member in household.members.all():
            assert member.id_number.plaintext().encode() not in dump
            assert member.phone.plaintext().encode() not in dump


def test_lookup_by_blind_index_finds_the_resident(world):
    residents = add_people(world)
    for resident, (_name, number, phone) in zip(residents, PEOPLE, strict=True):
        assert Resident.objects.get(id_number_hash=blind_index("id_number", number)) == resident
        digits = "".join(ch for ch in phone if ch.isdigit())
        assert list(Resident.objects.filter(phone_hash=blind_index("phone", digits))) == [resident]
    assert not Resident.objects.filter(id_number_hash=blind_index("id_number", "110101199003074477")).exists()


def test_a_protected_value_prints_masked(world):
    first, second, third = add_people(world)
    fresh = Resident.objects.get(pk=first.pk)
    assert isinstance(fresh.id_number, ProtectedValue)
    assert str(fresh.id_number) == "110***********002X"
    assert str(Resident.objects.get(pk=second.pk).id_number) == "440***********0014"
    assert str(fresh.phone) == "139****2222"
    assert str(Resident.objects.get(pk=third.pk).phone) == "085****1314"


def test_values_and_serialisation_carry_no_plaintext(world):
    residents = add_people(world)
    rows = list(Resident.objects.filter(pk__in=[r.pk for r in residents]).values("id_number", "phone"))
    text = serializers.serialize("json", Resident.objects.filter(pk__in=[r.pk for r in residents]))
    shown = str([{k: str(v) for k, v in row.items()} for row in rows]) + text
    for _name, number, phone in PEOPLE:
        for secret in secrets_of(number, phone):
            assert secret.decode() not in shown


def test_the_audit_log_never_holds_the_plaintext(world):
    residents = add_people(world)
    services.resident_update(actor=world.clerk, resident=residents[0], data={"phone": "13700001111"})
    events = AuditEvent.objects.filter(action__startswith="resident.")
    assert events.filter(action="resident.add").count() >= len(PEOPLE)
    logged = " ".join(str(e.summary) + e.object_repr for e in events)
    for _name, number, phone in [*PEOPLE, ("", "11010519491231002X", "13700001111")]:
        for secret in secrets_of(number, phone):
            assert secret.decode() not in logged


def test_a_blind_index_keeps_its_unique_check_and_has_no_index_for_like(world):
    from django.db import IntegrityError, transaction

    first, second = add_people(world)[:2]
    with pytest.raises(IntegrityError), transaction.atomic():
        Resident.objects.filter(pk=second.pk).update(id_number_hash=first.id_number_hash)
    with connection.cursor() as cursor:
        indexes = connection.introspection.get_constraints(cursor, Resident._meta.db_table)
    on = lambda column: [  # noqa: E731
        spec for spec in indexes.values() if spec["columns"] == [column] and (spec["index"] or spec["unique"])
    ]
    # One index each: exact matches only, so PostgreSQL keeps no second, pattern-ops copy to update.
    assert len(on("id_number_hash")) == 1 and on("id_number_hash")[0]["unique"]
    assert len(on("phone_hash")) == 1
