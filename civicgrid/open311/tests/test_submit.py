"""POST requests: an api_key, a service code and a place make a case on the Open311 channel."""

from __future__ import annotations

import pytest

from civicgrid import access
from civicgrid.accounts.tokens import ApiToken, token_create
from civicgrid.audit.models import AuditEvent
from civicgrid.cases.models import Case, Category, Channel, Tier
from civicgrid.core import clock
from civicgrid.open311.tests import spec
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


def test_a_request_with_coordinates_becomes_a_case_in_the_grid_that_covers_them(submit, world, app_user):
    response = submit(first_name="三", last_name="张", phone="13912345678", account_id="wx-42")
    assert response.status_code == 200 and response["Content-Type"] == spec.JSON_TYPE
    (created,) = response.json()
    spec.check_created(created)
    case = Case.objects.get(pk=int(created["service_request_id"]))
    assert (case.channel, case.territory, case.tier) == (Channel.OPEN311, world.grid_a, Tier.GRID)
    assert (case.lon, case.lat) == (108.02, 27.02)
    assert case.reporter_name == "张三" and case.reporter_phone.plaintext() == "13912345678"
    assert case.external_id == "wx-42" and case.reporter_user is None
    # The client's own account_id comes back to it (the public list never shows it).
    assert case.code in created["service_notice"] and created["account_id"] == "wx-42"
    assert AuditEvent.objects.filter(action="case.submit", object_id=str(case.pk), actor=app_user).exists()


def test_a_point_in_the_sibling_grid_lands_there(submit, world):
    (created,) = submit(lat="27.02", long="108.07").json()
    assert Case.objects.get(pk=int(created["service_request_id"])).territory == world.grid_b


def test_the_answer_comes_in_xml_with_the_spec_element_names(submit, world):
    response = submit("xml")
    assert response.status_code == 200 and response["Content-Type"] == spec.XML_TYPE
    (row,) = spec.xml_items(response.content, "service_requests", "request", spec.CREATED_FIELDS)
    assert Case.objects.filter(pk=int(row["service_request_id"])).exists()
    assert row["account_id"] is None


def test_an_address_id_is_a_house_code_and_places_the_case_at_that_house(submit, world):
    house = world.households["b"].house
    (created,) = submit(lat=None, long=None, address_id=house.house_code.lower()).json()
    case = Case.objects.get(pk=int(created["service_request_id"]))
    assert (case.house, case.territory) == (house, world.unit_b1)
    assert case.address == house.address


def test_an_english_name_is_written_given_name_first(submit, world):
    (created,) = submit(first_name="John", last_name="Smith").json()
    assert Case.objects.get(pk=int(created["service_request_id"])).reporter_name == "John Smith"


def test_the_notice_speaks_the_language_asked_for(submit, world):
    (created,) = submit(headers={"Accept-Language": "en"}).json()
    assert created["service_notice"].startswith("Received.") and "grid tier" in created["service_notice"]
    (created,) = submit().json()
    assert "网格" in created["service_notice"]


@pytest.mark.parametrize(("api_key", "says"), [(None, "not provided"), ("cg_wrong", "Invalid api_key")])
def test_without_a_valid_api_key_nothing_is_created_and_the_answer_is_403(submit, world, api_key, says):
    response = submit(api_key=api_key, headers={"Accept-Language": "en"})
    assert response.status_code == 403
    (message,) = spec.check_errors(response.json(), 403)
    assert says in message and "api_key" in message
    assert spec.xml_errors(submit("xml", api_key=api_key).content, 403)
    assert not Case.objects.exists()


def test_an_api_key_in_the_query_string_is_accepted_as_older_clients_send_it(o311, world, api_key):
    data = {"service_code": "sanitation", "description": "x", "lat": "27.02", "long": "108.02"}
    response = o311.post(f"requests.json?api_key={api_key}&jurisdiction_id=example.gov.cn", data)
    assert response.status_code == 200 and Case.objects.get().channel == Channel.OPEN311


def test_a_revoked_or_expired_token_is_refused(submit, world, api_key, app_user):
    ApiToken.objects.filter(user=app_user).update(revoked_at=clock.now())
    assert submit().status_code == 403
    _, raw = token_create(actor=None, user=app_user, name="short", expires_at=clock.now())
    assert submit(api_key=raw).status_code == 403
    assert not Case.objects.exists()


def test_any_valid_token_may_submit_without_a_staff_role(submit, world, app_user):
    assert access.grants(app_user) == []
    assert submit().status_code == 200


def test_a_missing_service_code_is_400_naming_the_field(submit, world):
    response = submit(service_code="")
    assert response.status_code == 400
    assert any(m.startswith("service_code") for m in spec.check_errors(response.json(), 400))


@pytest.mark.parametrize("code", ["sewers", "praise"])
def test_an_unknown_or_private_service_code_is_404_naming_it(submit, world, code):
    Category.objects.filter(code="praise").update(public=False)
    response = submit(service_code=code)
    assert response.status_code == 404
    (message,) = spec.check_errors(response.json(), 404)
    assert "service_code" in message and code in message
    assert not Case.objects.exists()


def test_without_any_location_the_answer_is_400_naming_the_location_fields(submit, world):
    response = submit(lat=None, long=None)
    assert response.status_code == 400
    (message,) = spec.check_errors(response.json(), 400)
    assert "lat/long or address_id required" in message or "address_id" in message


def test_an_address_string_alone_is_refused_with_a_clear_reason(submit, world):
    response = submit(lat=None, long=None, address_string="幸福路1号", headers={"Accept-Language": "en"})
    assert response.status_code == 400
    (message,) = spec.check_errors(response.json(), 400)
    assert "lat/long or address_id required" in message and "address_string" in message
    assert not Case.objects.exists()


def test_half_a_coordinate_or_a_bad_number_is_400_naming_the_field(submit, world):
    assert (
        "lat and long"
        in spec.check_errors(submit(long=None, headers={"Accept-Language": "en"}).json(), 400)[0]
    )
    messages = spec.check_errors(submit(lat="north", long="200").json(), 400)
    assert {m.split(":")[0] for m in messages} == {"lat", "long"}


def test_a_point_outside_every_grid_is_400(submit, world):
    response = submit(lat="39.9", long="116.4")
    assert response.status_code == 400
    assert spec.check_errors(response.json(), 400)[0].startswith("lat/long:")


def test_an_unknown_address_id_is_400_naming_it(submit, world):
    response = submit(lat=None, long=None, address_id="NOPE0000")
    assert response.status_code == 400
    assert "address_id" in spec.check_errors(response.json(), 400)[0]


def test_a_too_long_description_is_400(submit, world):
    assert spec.check_errors(submit(description="x" * 4001).json(), 400)[0].startswith("description")
    assert not Case.objects.exists()


def test_a_request_without_a_description_is_described_by_its_service(submit, world):
    # The spec lists description among the optional arguments.
    (created,) = submit(description="").json()
    case = Case.objects.get(pk=int(created["service_request_id"]))
    assert case.description == case.title == case.category.name_zh


def test_several_problems_are_reported_together(submit, world):
    messages = spec.check_errors(submit(service_code="", phone="1" * 31, media_url="ftp://x").json(), 400)
    assert {m.split(":")[0] for m in messages} >= {"service_code", "phone", "media_url"}


def test_the_same_idempotency_key_never_makes_a_second_case(submit, world):
    first = submit(headers={"Idempotency-Key": "retry-1"}).json()
    again = submit(headers={"Idempotency-Key": "retry-1"}).json()
    other = submit(headers={"Idempotency-Key": "retry-2"}).json()
    assert first[0]["service_request_id"] == again[0]["service_request_id"]
    assert other[0]["service_request_id"] != first[0]["service_request_id"]
    assert Case.objects.count() == 2


def test_the_same_idempotency_key_with_another_request_is_refused(submit, world):
    first = submit(headers={"Idempotency-Key": "retry-3"})
    other = submit(headers={"Idempotency-Key": "retry-3"}, description="路灯坏了")
    assert first.status_code == 200 and other.status_code == 422
    assert "Idempotency-Key" in spec.check_errors(other.json(), 422)[0]
    assert Case.objects.count() == 1
    again = submit(headers={"Idempotency-Key": "retry-3"}).json()
    assert again[0]["service_request_id"] == first.json()[0]["service_request_id"]


def test_an_idempotency_key_belongs_to_one_client(submit, world):
    _, other_key = token_create(actor=None, user=make_user("other-app"), name="other")
    mine = submit(headers={"Idempotency-Key": "k"}).json()[0]["service_request_id"]
    theirs = submit(api_key=other_key, headers={"Idempotency-Key": "k"}).json()[0]["service_request_id"]
    assert mine != theirs and Case.objects.count() == 2


def test_an_overlong_idempotency_key_is_refused(submit, world):
    response = submit(headers={"Idempotency-Key": "k" * 65})
    assert response.status_code == 400 and "Idempotency-Key" in spec.check_errors(response.json(), 400)[0]


def test_a_media_url_is_kept_and_given_back(submit, o311, world):
    url = "https://img.example.cn/a.jpg"
    (created,) = submit(media_url=url).json()
    case = Case.objects.get(pk=int(created["service_request_id"]))
    assert url in case.description and case.title == "垃圾堆了三天"
    (item,) = o311.get(f"requests/{case.pk}.json").json()
    assert (item["description"], item["media_url"]) == ("垃圾堆了三天", url)


def test_no_session_and_no_csrf_token_are_needed(submit, world):
    # The o311 client enforces CSRF checks like a browser would; the endpoint is exempt.
    assert submit().status_code == 200


def test_a_logged_in_session_alone_cannot_submit(client_for, world):
    client = client_for(world.secretary)
    response = client.post(
        "/open311/v2/requests.json",
        {"service_code": "sanitation", "description": "x", "lat": 27.02, "long": 108.02},
    )
    assert response.status_code == 403 and not Case.objects.exists()
