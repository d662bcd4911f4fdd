"""A resident reports without an account: from a door plate, from where they stand, or anonymously."""

from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.utils import translation

from civicgrid.cases.models import Attachment, Case, Category, Channel
from civicgrid.core import clock

pytestmark = pytest.mark.django_db

CLIENT_ADDRESS = "203.0.113.77"


def _form(category="sanitation", **extra):
    data = {
        "category": Category.objects.get(code=category).pk,
        "description": "楼道灯坏了一个星期",
        "idempotency_key": str(uuid.uuid4()),
    }
    data.update(extra)
    return data


def _post(client, url, data, **kw):
    return client.post(url, data, REMOTE_ADDR=CLIENT_ADDRESS, **kw)


def test_the_door_plate_page_shows_the_address_and_nothing_about_the_residents(world, client):
    household = world.households["a"]
    page = client.get(f"/p/{household.house.house_code}/")
    assert page.status_code == 200
    assert household.house.address in page.text
    assert f"/p/{household.house.house_code}/report/" in page.text
    assert household.head.name not in page.text
    assert "13800000000" not in page.text and "138" not in page.text


def test_an_unknown_door_plate_is_a_friendly_not_found(client, db):
    page = client.get("/p/HNOSUCHONE/")
    assert page.status_code == 404
    assert "choosing the place yourself" in page.text or "选择地点" in page.text


def test_a_report_from_a_door_plate_becomes_a_case_at_that_unit_from_the_portal(world, client):
    house = world.households["a"].house
    response = _post(client, f"/p/{house.house_code}/report/", _form(name="王先生", phone="139 1234 5678"))
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/report/thanks/{case.code}/"
    assert case.channel == Channel.PORTAL and case.house == house
    assert case.territory == world.unit_a1 and case.territory_path == world.unit_a1.path
    assert case.reporter_name == "王先生" and case.reporter_phone.plaintext() == "13912345678"
    assert not case.anonymous
    done = client.get(response["Location"])
    assert f'id="tracking-code">{case.code}<' in done.text
    assert f"/p/track/{case.code}/" in done.text


def test_the_suggestion_box_keeps_no_name_no_phone_and_no_address(world, client):
    response = _post(
        client,
        "/p/report/",
        _form(anonymous="on", name="李四", phone="13912345678", community=world.c1.pk, grid=world.grid_b.pk),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.channel == Channel.SUGGESTION_BOX and case.anonymous
    assert case.reporter_name == "" and not case.reporter_phone
    assert case.territory == world.grid_b
    # Neither the address nor the name nor the phone is anywhere in the database.
    for model in apps.get_models():
        text_fields = [
            f.attname
            for f in model._meta.concrete_fields
            if isinstance(f, models.CharField | models.TextField | models.JSONField)
        ]
        for row in model.objects.values_list(*text_fields) if text_fields else []:
            blob = " ".join(str(v) for v in row)
            assert CLIENT_ADDRESS not in blob, model
            assert "13912345678" not in blob and "李四" not in blob, model


def test_a_double_tap_makes_one_case(world, client):
    house = world.households["a"].house
    data = _form()
    first = _post(client, f"/p/{house.house_code}/report/", data)
    second = _post(client, f"/p/{house.house_code}/report/", data)
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_my_location_puts_the_case_in_the_grid_under_it(world, client):
    response = _post(client, "/p/report/", _form(lon="108.01", lat="27.01"))
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.territory == world.grid_a and (case.lon, case.lat) == (108.01, 27.01)


def test_a_location_outside_every_grid_is_refused_with_a_message(world, client):
    response = _post(client, "/p/report/", _form(lon="100.0", lat="20.0"))
    assert response.status_code == 200 and not Case.objects.exists()
    assert "outside every grid" in response.text or "不在" in response.text


def test_the_place_picker_offers_the_grids_of_the_chosen_community(world, client):
    fragment = client.get(f"/p/report/places/?community={world.c1.pk}", headers={"HX-Request": "true"}).text
    assert world.grid_a.name in fragment and world.grid_b.name in fragment
    assert "一组网格" not in fragment  # a grid of the other community


def test_a_grid_outside_the_chosen_community_is_refused(world, client):
    grid_of_c2 = world.unit_x1.parent
    response = _post(client, "/p/report/", _form(community=world.c1.pk, grid=grid_of_c2.pk))
    assert response.status_code == 200 and not Case.objects.exists()


def test_choosing_only_the_community_puts_the_case_there(world, client):
    _post(client, "/p/report/", _form(community=world.c2.pk))
    assert Case.objects.get().territory == world.c2


def test_a_report_without_a_place_asks_for_one(world, client):
    response = _post(client, "/p/report/", _form())
    assert response.status_code == 200 and not Case.objects.exists()
    assert 'class="field has-error"' in response.text


def test_a_photo_is_kept_public_and_without_its_metadata(world, client, png_bytes):
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # camera make: the kind of tag that travels with phone photos
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (10, 120, 40)).save(buffer, "JPEG", exif=exif)
    assert b"PhoneMaker" in buffer.getvalue()
    photo = SimpleUploadedFile("IMG_0001.jpg", buffer.getvalue(), content_type="image/jpeg")
    house = world.households["a"].house
    _post(client, f"/p/{house.house_code}/report/", _form(photo=photo))
    attachment = Attachment.objects.get()
    assert attachment.public and attachment.content_type == "image/jpeg"
    assert attachment.event.action == "submit"
    stored = attachment.file.read()
    assert stored.startswith(b"\xff\xd8\xff") and b"PhoneMaker" not in stored
    assert "IMG_0001" not in attachment.file.name


def test_a_file_that_is_not_a_jpeg_or_png_is_refused_whatever_its_name(world, client):
    fake = SimpleUploadedFile("photo.jpg", b"GIF89a" + b"\x00" * 100, content_type="image/jpeg")
    house = world.households["a"].house
    response = _post(client, f"/p/{house.house_code}/report/", _form(photo=fake))
    assert response.status_code == 200
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert "JPEG" in response.text


def test_a_photo_over_5_mb_is_refused(world, client, png_bytes):
    big = SimpleUploadedFile("big.png", png_bytes + b"\x00" * (5 * 1024 * 1024), content_type="image/png")
    house = world.households["a"].house
    response = _post(client, f"/p/{house.house_code}/report/", _form(photo=big))
    assert response.status_code == 200 and not Case.objects.exists()
    assert "5 MB" in response.text


def test_the_eleventh_report_within_an_hour_gets_429_and_the_next_hour_is_free(world, client, settings):
    settings.CIVICGRID_PORTAL_REPORTS_PER_HOUR = 10
    house = world.households["a"].house
    start = clock.now().replace(minute=0, second=0, microsecond=0)
    with clock.frozen(start):
        for _ in range(10):
            assert _post(client, f"/p/{house.house_code}/report/", _form()).status_code == 302
        refused = _post(client, f"/p/{house.house_code}/report/", _form())
        assert refused.status_code == 429
        with translation.override("zh-hans"):
            assert translation.gettext("Too many tries from this connection") in refused.text
        # Another address is not affected.
        other = client.post(f"/p/{house.house_code}/report/", _form(), REMOTE_ADDR="198.51.100.9")
        assert other.status_code == 302
    with clock.frozen(start + dt.timedelta(hours=1, minutes=1)):
        assert _post(client, f"/p/{house.house_code}/report/", _form()).status_code == 302
    assert Case.objects.count() == 12


def test_the_report_form_offers_public_categories_grouped_by_parent(world, client):
    Category.objects.filter(code="praise").update(public=False)
    page = client.get("/p/report/").text
    assert re.search(r'<optgroup label="[^"]+">\s*<option value="\d+">[^<]+</option>', page)
    assert str(Category.objects.get(code="praise").pk) not in re.findall(r'<option value="(\d+)"', page)
    assert 'name="idempotency_key"' in page
    keys = re.findall(r'name="idempotency_key" value="([^"]+)"', page + client.get("/p/report/").text)
    assert len(set(keys)) == 2  # a new key for each form shown


def test_reporting_and_rating_open_no_session(world, client):
    from django.contrib.sessions.models import Session

    house = world.households["a"].house
    client.get(f"/p/{house.house_code}/report/")
    _post(client, f"/p/{house.house_code}/report/", _form())
    assert "sessionid" not in client.cookies and not Session.objects.exists()


def test_a_different_report_sent_again_from_the_same_form_is_a_new_case(world, client):
    house = world.households["a"].house
    data = _form()
    _post(client, f"/p/{house.house_code}/report/", data)
    _post(client, f"/p/{house.house_code}/report/", {**data, "description": "另一件事：井盖丢了"})
    assert Case.objects.count() == 2
