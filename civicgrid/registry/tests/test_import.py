"""Importing residents: the dry run lists every bad row and why; the two modes; re-import changes nothing."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from civicgrid.core.errors import ApplicationError
from civicgrid.registry import importing
from civicgrid.registry.models import ImportStatus, Resident
from civicgrid.testing import id_number

pytestmark = pytest.mark.django_db

HEADER = "门牌编码,户号,与户主关系,姓名,性别,出生日期,民族,身份证号,联系电话,居住类型,搬迁类型,标签"


def _csv(rows: list[str], encoding: str = "utf-8") -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode(encoding)


def _rows(world, *, bad: bool):
    house = world.households["a"].house.house_code
    ids = [id_number(dt.date(1990, 1, 1)), id_number(dt.date(1992, 2, 2), male=False)]
    rows = [
        f"{house},,配偶,陈静,女,1992-02-02,苗族,{ids[1]},13912345678,流动,,留守儿童",
        f"{house},,子女,陈小明,男,1990-01-01,汉族,{ids[0]},,户籍,,",
    ]
    if bad:
        rows += [
            f"{house},,子女,错号,男,1990-01-01,汉族,110105194912310021,,户籍,,",  # bad check digit
            f"HNOSUCHHOUSE,,子女,无房,男,1990-01-01,汉族,{id_number()},,户籍,,",  # unknown house
            f"{house},,子女,重复,男,1990-01-01,汉族,{ids[0]},,户籍,,",  # duplicate of row 3
            f"{house},,子女,,男,1990-01-01,汉族,{id_number()},,户籍,,",  # missing name
        ]
    return rows


def _upload(world, data: bytes, name: str = "people.csv", all_or_nothing: bool = True):
    return importing.import_upload(
        actor=world.secretary,
        territory=world.c1,
        upload=SimpleUploadedFile(name, data),
        all_or_nothing=all_or_nothing,
    )


def test_dry_run_lists_every_bad_row_and_why(world):
    job = _upload(world, _csv(_rows(world, bad=True)))
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKED
    assert (job.total_rows, job.valid_rows) == (6, 2)
    problems = {e["row"]: e["code"] for e in job.errors}
    assert problems == {4: "invalid", 5: "unknown_house", 6: "duplicate", 7: "missing"}
    assert Resident.objects.filter(name="陈静").count() == 0  # a dry run writes nothing


def test_all_or_nothing_refuses_a_file_with_bad_rows(world):
    job = _upload(world, _csv(_rows(world, bad=True)))
    with pytest.raises(ApplicationError):
        importing.import_confirm(actor=world.secretary, job=job, all_or_nothing=True)
    assert not Resident.objects.filter(name__in=["陈静", "陈小明"]).exists()


def test_valid_only_writes_the_good_rows(world):
    job = _upload(world, _csv(_rows(world, bad=True)), all_or_nothing=False)
    importing.import_confirm(actor=world.secretary, job=job, all_or_nothing=False)
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert job.created_rows == 2
    jing = Resident.objects.get(name="陈静")
    assert jing.household == world.households["a"]
    assert (jing.ethnicity, jing.residence_type, jing.gender) == ("苗族", "floating", "female")
    assert jing.taggings.get().tag.code == "left_behind_child"
    assert jing.territory_path == world.households["a"].territory_path


def test_reimporting_the_same_file_creates_no_duplicates(world):
    data = _csv(_rows(world, bad=False))
    for _ in range(2):
        job = _upload(world, data)
        importing.import_confirm(actor=world.secretary, job=job, all_or_nothing=True)
        job.refresh_from_db()
        assert job.status == ImportStatus.DONE
    assert (job.created_rows, job.updated_rows, job.unchanged_rows) == (0, 0, 2)
    assert Resident.objects.filter(name="陈静").count() == 1


def test_a_changed_row_updates_the_person(world):
    rows = _rows(world, bad=False)
    job = _upload(world, _csv(rows))
    importing.import_confirm(actor=world.secretary, job=job, all_or_nothing=True)
    rows[0] = rows[0].replace("13912345678", "13700000000")
    job = _upload(world, _csv(rows))
    importing.import_confirm(actor=world.secretary, job=job, all_or_nothing=True)
    job.refresh_from_db()
    assert (job.created_rows, job.updated_rows) == (0, 1)
    assert Resident.objects.get(name="陈静").phone.plaintext() == "13700000000"


def test_gbk_csv_is_read(world):
    job = _upload(world, _csv(_rows(world, bad=False), encoding="gbk"))
    job.refresh_from_db()
    assert (job.status, job.valid_rows, job.errors) == (ImportStatus.CHECKED, 2, [])


def test_xlsx_is_read(world):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in _rows(world, bad=False):
        sheet.append(row.split(","))
    out = io.BytesIO()
    book.save(out)
    job = _upload(world, out.getvalue(), name="people.xlsx")
    job.refresh_from_db()
    assert (job.status, job.valid_rows) == (ImportStatus.CHECKED, 2)


def test_a_house_outside_the_import_territory_is_unknown(world):
    rows = [
        r.replace(world.households["a"].house.house_code, world.households["x"].house.house_code)
        for r in _rows(world, bad=False)
    ]
    job = _upload(world, _csv(rows))
    job.refresh_from_db()
    assert {e["code"] for e in job.errors} == {"unknown_house"}


def test_upload_refuses_other_file_types(world):
    with pytest.raises(ApplicationError) as refused:
        _upload(world, b"\x00\x01binary", name="people.exe")
    assert refused.value.field == "file"
    with pytest.raises(ApplicationError):
        _upload(world, b"not a zip", name="people.xlsx")


def test_missing_columns_fail_the_file_with_a_message(world):
    job = _upload(world, "姓名,性别\n张三,男\n".encode())
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED
    assert "house_code" in job.message


def test_a_failed_file_leads_back_to_uploading_a_corrected_one(world, client_for):
    job = _upload(world, "姓名,性别\n张三,男\n".encode())
    body = client_for(world.secretary).get(reverse("registry:import_detail", args=[job.pk])).content.decode()
    status = body.split('id="import-status"')[1].split("</section>")[0]  # not the menu's link
    assert f'href="{reverse("registry:import_list")}"' in status


def test_import_pages_walk_through_upload_check_and_confirm(world, client_for):
    c = client_for(world.clerk)
    response = c.post(
        reverse("registry:import_list"),
        {
            "file": SimpleUploadedFile("p.csv", _csv(_rows(world, bad=False))),
            "territory": world.c1.pk,
            "all_or_nothing": "on",
        },
    )
    assert response.status_code == 302
    detail = c.get(response["Location"])
    assert detail.context["job"].status == ImportStatus.CHECKED
    job = detail.context["job"]
    c.post(reverse("registry:import_confirm", args=[job.pk]), {"mode": "all"})
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE


def test_grid_worker_cannot_import(world, client_for):
    assert client_for(world.grid_worker_a).get(reverse("registry:import_list")).status_code == 403


def test_a_person_registered_elsewhere_is_caught_by_the_dry_run(world):
    outsider = world.households["x"].head  # in village C2, outside community C1
    house = world.households["a"].house.house_code
    rows = [
        *_rows(world, bad=False),
        f"{house},,子女,{outsider.name},男,1970-03-04,汉族,{outsider.id_number.plaintext()},,户籍,,",
    ]
    job = _upload(world, _csv(rows), all_or_nothing=False)
    job.refresh_from_db()
    assert [e["code"] for e in job.errors] == ["elsewhere"]
    importing.import_confirm(actor=world.secretary, job=job, all_or_nothing=False)
    job.refresh_from_db()
    assert (job.status, job.created_rows) == (ImportStatus.DONE, 2)
    outsider.refresh_from_db()
    assert outsider.household == world.households["x"]


def test_a_finished_import_no_longer_keeps_the_uploaded_file(world):
    job = _upload(world, _csv(_rows(world, bad=False)))
    path = job.file.path
    importing.import_confirm(actor=world.secretary, job=job, all_or_nothing=True)
    job.refresh_from_db()
    import os

    assert not job.file and not os.path.exists(path)
