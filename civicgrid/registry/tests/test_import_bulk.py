"""The bulk writer of large imports writes what the ORM writer writes, and reports the same problems.

Each test imports one file twice, once by each writer, from the same starting data (the first run is
rolled back), and compares everything either writes: residents with their decrypted ID number and
phone, households, heads, history, tags, audit records, and the job's outcome.
"""

from __future__ import annotations

import datetime as dt
import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from civicgrid.audit.models import AuditEvent
from civicgrid.core import idcard
from civicgrid.registry import importing, services
from civicgrid.registry.models import Household, ImportStatus, Resident, ResidentMove, Tagging
from civicgrid.testing import id_number

pytestmark = pytest.mark.django_db

HEADER = "门牌编码,户号,与户主关系,姓名,性别,出生日期,民族,身份证号,联系电话,居住类型,搬迁类型,标签"


class Rollback(Exception):
    pass


def _csv(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def _snapshot(job) -> dict:
    """Everything an import writes, by natural keys (row ids differ between two runs)."""
    hashes = {r.pk: r.id_number_hash for r in Resident.objects.all()}
    numbers = dict(Household.objects.values_list("id", "number"))
    return {
        "job": (
            job.status,
            job.message,
            job.total_rows,
            job.valid_rows,
            job.created_rows,
            job.updated_rows,
            job.unchanged_rows,
            job.errors,
        ),
        "residents": sorted(
            (
                r.id_number.plaintext(),
                r.id_number_hash,
                r.phone.plaintext(),
                r.phone_hash,
                r.name,
                r.gender,
                r.birth_date,
                r.ethnicity,
                r.relation,
                r.residence_type,
                r.relocation_type,
                r.status,
                numbers.get(r.household_id),
                r.territory_path,
            )
            for r in Resident.objects.all()
        ),
        "households": sorted(
            (h.number, h.house.house_code, hashes.get(h.head_id), h.status, h.territory_path)
            for h in Household.objects.select_related("house")
        ),
        "moves": sorted(
            (hashes[m.resident_id], m.kind, numbers.get(m.to_household_id), m.on, m.note, m.territory_path)
            for m in ResidentMove.objects.all()
        ),
        "taggings": sorted(
            (t.tag.code, hashes.get(t.resident_id), numbers.get(t.household_id), t.territory_path, t.since)
            for t in Tagging.objects.select_related("tag")
        ),
        "audit": sorted(
            (e.action, e.actor_id, e.territory_path, str(sorted(e.summary.items())))
            for e in AuditEvent.objects.filter(action__in=["household.create", "registry.import"])
        ),
    }


def _import(world, data: bytes, *, all_or_nothing: bool, bulk: bool, monkeypatch) -> dict:
    monkeypatch.setattr(importing, "BULK_FROM_ROWS", 1 if bulk else 10**9)
    job = importing.import_upload(
        actor=world.secretary,
        territory=world.c1,
        upload=SimpleUploadedFile("people.csv", data),
        all_or_nothing=all_or_nothing,
    )
    job.refresh_from_db()
    importing.import_run(job, world.secretary)
    job.refresh_from_db()
    return _snapshot(job)


def _both(world, data: bytes, monkeypatch, *, all_or_nothing: bool = False) -> tuple[dict, dict]:
    try:
        with transaction.atomic():
            orm = _import(world, data, all_or_nothing=all_or_nothing, bulk=False, monkeypatch=monkeypatch)
            raise Rollback
    except Rollback:
        pass
    bulk = _import(world, data, all_or_nothing=all_or_nothing, bulk=True, monkeypatch=monkeypatch)
    return orm, bulk


def _mixed_rows(world) -> list[str]:
    a = world.households["a"].house.house_code
    b = world.households["b"].house.house_code
    empty = services.house_create(actor=world.secretary, unit=world.unit_a1, address="幸福路88号").house_code
    known = world.households["a"].head
    jing = id_number(dt.date(1992, 2, 2), male=False)
    return [
        f"{a},,配偶,陈静,女,1992-02-02,苗族,{jing},13912345678,流动,,留守儿童",
        f"{b},,子女,李小,男,,,{id_number(dt.date(2010, 1, 1))},,,,留守儿童;留守儿童",
        f"{empty},,户主,周一,男,,,{id_number(dt.date(1960, 1, 1))},,搬迁,水库移民,低保户",
        f"{empty},,配偶,周二,女,,,{id_number(dt.date(1962, 1, 1), male=False)},,,,低保户;空巢老人",
        f"{a},NEW0001,户主,吴一,男,,,{id_number(dt.date(1970, 1, 1))},(010) 1234-5678,,,",
        f"{a},NEW0001,户主,吴二,女,,,{id_number(dt.date(1971, 1, 1), male=False)},,,,",
        f"{a},,户主,{known.name},,,,{known.id_number.plaintext()},13700000000,,,空巢老人",
        f"{a},,子女,错号,男,,,110105194912310021,,,,",
        f"HNOSUCHHOUSE,,子女,无房,男,,,{id_number()},,,,",
        f"{a},,子女,坏标签,男,,,{id_number()},,,,没有这个标签",
        f"{a},,子女,,男,,,{id_number()},,,,",
        f"{a},,子女,重复,女,,,{jing},,,,",
        f"{a},{world.households['b'].number},子女,别家,男,,,{id_number()},,,,",
        f"{a},,子女,外人,男,,,{world.households['x'].head.id_number.plaintext()},,,,",
    ]


def test_valid_rows_are_written_the_same_by_both_writers(world, monkeypatch):
    orm, bulk = _both(world, _csv(_mixed_rows(world)), monkeypatch)
    assert orm == bulk
    status, _message, total, valid, created, updated, unchanged, errors = bulk["job"]
    assert (status, total, valid, created, updated, unchanged) == (ImportStatus.DONE, 14, 7, 6, 1, 0)
    assert [e["code"] for e in errors] == [
        "invalid",
        "unknown_house",
        "unknown_tag",
        "missing",
        "duplicate",
        "household_elsewhere",
        "elsewhere",
    ]
    # What the comparison stands on: a new household made with its head, tags, a generated number.
    new = next(h for h in bulk["households"] if h[0] == "NEW0001")
    assert new[1] == world.households["a"].house.house_code and new[2] is not None
    assert {t[0] for t in bulk["taggings"]} >= {"low_income", "left_behind_child", "empty_nest_elderly"}
    assert sum(1 for e in bulk["audit"] if e[0] == "household.create" and "'import'" in e[3]) == 2


def test_a_second_import_updates_and_leaves_alone_the_same_way(world, monkeypatch):
    rows = _mixed_rows(world)[:7]
    importing_data = _csv(rows)
    _import(world, importing_data, all_or_nothing=True, bulk=False, monkeypatch=monkeypatch)
    rows[0] = rows[0].replace("13912345678", "13600000000").replace("留守儿童", "留守儿童;残疾人")
    orm, bulk = _both(world, _csv(rows), monkeypatch, all_or_nothing=True)
    assert orm == bulk
    assert bulk["job"][4:7] == (0, 1, 6)
    jing = next(r for r in bulk["residents"] if r[4] == "陈静")
    assert jing[2] == "13600000000"


def test_all_or_nothing_writes_nothing_and_reports_every_bad_row_the_same_way(world, monkeypatch):
    before = Resident.objects.count()
    orm, bulk = _both(world, _csv(_mixed_rows(world)), monkeypatch, all_or_nothing=True)
    assert orm == bulk
    assert bulk["job"][0] == ImportStatus.CHECKED
    assert len(bulk["job"][7]) == 7
    assert Resident.objects.count() == before
    assert not [e for e in bulk["audit"] if e[0] == "registry.import" or "'import'" in e[3]]


def test_a_household_number_taken_by_another_house_in_the_same_file_fails_the_same_way(world, monkeypatch):
    a = world.households["a"].house.house_code
    b = world.households["b"].house.house_code
    rows = [
        f"{a},SAME01,户主,甲,男,,,{id_number()},,,,",
        f"{b},SAME01,户主,乙,男,,,{id_number()},,,,",
    ]
    orm, bulk = _both(world, _csv(rows), monkeypatch, all_or_nothing=True)
    assert orm == bulk
    assert bulk["job"][0] == ImportStatus.FAILED
    assert "SAME01" in bulk["job"][1]
    assert not Household.objects.filter(number="SAME01").exists()


def _many(house: str, n: int, start: int) -> bytes:
    rows = []
    for i in range(start, start + n):
        first17 = f"520602{dt.date(1950, 1, 1) + dt.timedelta(days=i % 20000):%Y%m%d}{i % 1000:03d}"
        rows.append(f"{house},H{i // 3:07d},户主,居民{i},,,,{first17}{idcard.check_char(first17)},,,,")
    return _csv(rows)


def _peak(world, data: bytes) -> int:
    job = importing.import_upload(
        actor=world.secretary,
        territory=world.c1,
        upload=SimpleUploadedFile("many.csv", data),
        all_or_nothing=True,
    )
    job.refresh_from_db()
    tracemalloc.start()
    try:
        importing.import_run(job, world.secretary)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE, job.errors[:3]
    return peak


def test_the_bulk_writer_reads_and_writes_a_batch_at_a_time(world, monkeypatch):
    """Eight times the rows may not take anywhere near eight times the memory, as holding them would."""
    monkeypatch.setattr(importing, "BULK_FROM_ROWS", 1)
    monkeypatch.setattr(importing, "BATCH", 250)
    house = world.households["a"].house.house_code
    small = _peak(world, _many(house, 500, 0))
    large = _peak(world, _many(house, 4000, 500))
    assert large < 2 * small, (small, large)
