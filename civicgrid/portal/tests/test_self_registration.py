"""Self-registration from the door plate ("letter from home"): checked field by field with nothing
lost, once per form, rate-limited, reviewers told; the outcome shown with the tracking code only.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import override_settings
from django.utils import translation

from civicgrid.core.protected import blind_index
from civicgrid.notify.models import Notification
from civicgrid.registry import services
from civicgrid.registry.models import ReviewStatus, SelfRegistration, SelfRegistrationKind
from civicgrid.testing import id_number

pytestmark = pytest.mark.django_db

CLIENT_ADDRESS = "203.0.113.78"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def house(world):
    return world.households["a"].house


def _form(**extra):
    data = {
        "name": "陈回乡",
        "id_number": id_number(dt.date(1990, 2, 3)),
        "relation": "head",
        "phone": "139 0000 1111",
        "note": "",
        "idempotency_key": str(uuid.uuid4()),
        "members-TOTAL_FORMS": "2",
        "members-INITIAL_FORMS": "0",
        "members-0-name": "陈小宝",
        "members-0-id_number": id_number(dt.date(2018, 6, 1), male=False),
        "members-0-relation": "child",
        "members-0-phone": "",
        "members-1-name": "",
        "members-1-id_number": "",
        "members-1-relation": "child",
        "members-1-phone": "",
    }
    data.update(extra)
    return data


def _post(client, url, data):
    return client.post(url, {**data, "send": "1"}, REMOTE_ADDR=CLIENT_ADDRESS, HTTP_ACCEPT_LANGUAGE="en")


def test_the_door_plate_page_offers_registration_and_update(client, house):
    page = client.get(f"/p/{house.house_code}/", HTTP_ACCEPT_LANGUAGE="en").text
    assert f"/p/{house.house_code}/register/" in page and f"/p/{house.house_code}/update/" in page


def test_a_registration_waits_with_a_tracking_code_and_encrypted_numbers(
    client, house, django_capture_on_commit_callbacks
):
    data = _form()
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, f"/p/{house.house_code}/register/", data)
    registration = SelfRegistration.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/p/registration/{registration.code}/"
    assert registration.status == ReviewStatus.WAITING and registration.house == house
    assert registration.territory_path == house.territory_path
    people = list(registration.people.all())
    assert [p.name for p in people] == ["陈回乡", "陈小宝"]  # the empty member row is skipped
    assert people[0].id_number_hash == blind_index("id_number", data["id_number"])
    assert people[0].phone.plaintext() == "13900001111" and people[0].birth_date == dt.date(1990, 2, 3)
    assert people[1].gender == "female"


def test_the_tracking_page_shows_the_state_and_only_the_first_character_of_names(client, house):
    _post(client, f"/p/{house.house_code}/register/", _form())
    registration = SelfRegistration.objects.get()
    page = client.get(f"/p/registration/{registration.code}/", HTTP_ACCEPT_LANGUAGE="en").text
    assert registration.code in page and "Waiting for the grid chief" in page
    assert "陈**" in page and "陈*宝" not in page and "陈回乡" not in page and "陈小宝" not in page
    assert "1111" not in page and "139" not in page


def test_a_bad_id_number_is_named_on_its_field_and_nothing_is_lost(client, house):
    data = _form(id_number="110105194912310021", **{"members-0-id_number": "12345"})
    response = _post(client, f"/p/{house.house_code}/register/", data)
    page = response.text
    assert response.status_code == 200 and SelfRegistration.objects.count() == 0
    assert "wrong check digit" in page and "17 digits followed by a digit or X" in page
    assert 'value="陈回乡"' in page and 'value="陈小宝"' in page and 'value="110105194912310021"' in page


def test_the_same_id_number_twice_is_refused_on_the_member_row(client, house):
    data = _form()
    data["members-0-id_number"] = data["id_number"]
    page = _post(client, f"/p/{house.house_code}/register/", data).text
    assert "The same ID number is given twice." in page and SelfRegistration.objects.count() == 0


def test_adding_a_member_row_keeps_what_was_typed(client, house):
    data = _form(**{"members-TOTAL_FORMS": "1"})
    response = client.post(
        f"/p/{house.house_code}/register/", {**data, "add_member": "1"}, REMOTE_ADDR=CLIENT_ADDRESS
    )
    page = response.text
    assert response.status_code == 200 and SelfRegistration.objects.count() == 0
    assert 'value="陈回乡"' in page and 'value="陈小宝"' in page
    assert 'name="members-1-name"' in page and 'class="error"' not in page


def test_a_double_tap_gives_one_registration_and_one_notification(
    client, house, world, django_capture_on_commit_callbacks
):
    data = _form()
    with django_capture_on_commit_callbacks(execute=True):
        first = _post(client, f"/p/{house.house_code}/register/", data)
        again = _post(client, f"/p/{house.house_code}/register/", data)
    assert first["Location"] == again["Location"] and SelfRegistration.objects.count() == 1
    # The grid chief of the house's grid reviews it and is told, once.
    told = Notification.objects.filter(text_code="registry.self_registration_waiting")
    assert [n.recipient for n in told] == [world.grid_chief_a]
    assert told[0].link.endswith(f"/registry/review/registrations/{SelfRegistration.objects.get().pk}/")


@override_settings(CIVICGRID_PORTAL_REPORTS_PER_HOUR=2)
def test_registrations_are_rate_limited_per_connection(client, house):
    for _ in range(2):
        assert _post(client, f"/p/{house.house_code}/register/", _form()).status_code == 302
    third = _post(client, f"/p/{house.house_code}/register/", _form())
    assert third.status_code == 429 and SelfRegistration.objects.count() == 2


def test_an_update_of_my_details_is_one_person_with_a_note(client, house):
    resident = house.households.get().head
    data = {
        "name": "王改名",
        "id_number": id_number(dt.date(1970, 3, 4)),
        "phone": "13700001234",
        "note": "",
        "idempotency_key": str(uuid.uuid4()),
    }
    page = _post(client, f"/p/{house.house_code}/update/", data).text
    assert "This field is required" in page  # what has changed must be said
    data["note"] = "换了手机号"
    assert _post(client, f"/p/{house.house_code}/update/", data).status_code == 302
    registration = SelfRegistration.objects.get()
    assert registration.kind == SelfRegistrationKind.UPDATE and registration.people.count() == 1
    assert resident.name != "王改名"  # nothing changes before review


def test_a_rejection_and_its_reason_reach_the_resident(client, house, world):
    _post(client, f"/p/{house.house_code}/register/", _form())
    registration = SelfRegistration.objects.get()
    services.self_registration_reject(
        actor=world.grid_chief_a, registration=registration, reason="本户已登记，请找网格员"
    )
    page = client.get(f"/p/registration/{registration.code}/", HTTP_ACCEPT_LANGUAGE="en").text
    assert "Not accepted" in page and "本户已登记，请找网格员" in page


def test_the_track_form_takes_a_registration_code_too(client, house):
    _post(client, f"/p/{house.house_code}/register/", _form())
    code = SelfRegistration.objects.get().code
    response = client.get("/p/track/", {"code": code.lower()})
    assert response.status_code == 302 and response["Location"] == f"/p/registration/{code}/"


@override_settings(CIVICGRID_PORTAL_LOOKUPS_PER_HOUR=2)
def test_unknown_registration_codes_are_counted_misses(client, db):
    for _ in range(2):
        response = client.get("/p/registration/R000000NOSUCH00/", HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 404
        assert "There is no self-registration with the code R000000NOSUCH00" in response.text
    assert client.get("/p/registration/R000000NOSUCH00/").status_code == 429


def test_an_unknown_door_plate_cannot_be_registered_at(client, db):
    assert client.get("/p/HNOSUCHONE/register/").status_code == 404
