"""GET requests and GET one request: filters, the status mapping, and what stays private."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.cases import services
from civicgrid.cases.models import Category
from civicgrid.core import clock
from civicgrid.open311.tests import spec

pytestmark = pytest.mark.django_db

NAME, PHONE = "王秘密", "13700001111"


def _case(world, *, code="sanitation", channel="walk_in", **kw):
    defaults = {
        "actor": world.grid_worker_a,
        "channel": channel,
        "category": Category.objects.get(code=code),
        "title": "",
        "description": "楼道堆满杂物",
        "lon": 108.01,
        "lat": 27.01,
        "reporter_name": NAME,
        "reporter_phone": PHONE,
    }
    return services.case_submit(**{**defaults, **kw})


def _items(o311, fmt="json", **params):
    response = o311.get(f"requests.{fmt}", **params)
    assert response.status_code == 200, response.content
    if fmt == "xml":
        assert response["Content-Type"] == spec.XML_TYPE
        return spec.xml_items(response.content, "service_requests", "request", spec.REQUEST_FIELDS)
    assert response["Content-Type"] == spec.JSON_TYPE
    items = response.json()
    for item in items:
        spec.check_request(item)
    return items


def _ids(items) -> set[str]:
    return {i["service_request_id"] for i in items}


def test_requests_list_the_cases_of_public_categories_newest_first(o311, world):
    first = _case(world, channel="open311")
    second = _case(world, code="water", channel="open311")
    hidden = _case(world, code="praise", channel="open311")
    Category.objects.filter(code="praise").update(public=False)
    items = _items(o311)
    assert [i["service_request_id"] for i in items] == [str(second.pk), str(first.pk)]
    assert str(hidden.pk) not in _ids(items)


def test_a_request_from_an_open311_client_shows_its_description_and_point(o311, world):
    case = _case(world, channel="open311", address="幸福路1号")
    (item,) = _items(o311)
    assert item["service_request_id"] == str(case.pk)
    assert (item["status"], item["service_code"], item["service_name"]) == ("open", "sanitation", "环境卫生")
    assert (item["description"], item["address"]) == ("楼道堆满杂物", "幸福路1号")
    assert (item["lat"], item["long"]) == (27.01, 108.01)
    assert item["agency_responsible"] == "第一网格" and item["zipcode"] is None
    assert item["expected_datetime"] is not None
    assert item["requested_datetime"].endswith("+08:00")


def test_a_request_taken_in_by_staff_keeps_its_text_and_exact_place_private(o311, world):
    _case(world, channel="walk_in", house=world.households["a"].house)
    (item,) = _items(o311)
    assert item["description"] is None and item["address_id"] is None and item["media_url"] is None
    assert (
        item["address"].startswith("第一网格") and world.households["a"].house.address not in item["address"]
    )
    assert (item["long"], item["lat"]) == (108.025, 27.025)  # the centre of grid A, not the house


def test_an_anonymous_portal_report_shows_no_house(o311, world):
    house = world.households["a"].house
    _case(world, channel="portal", house=house, anonymous=True, reporter_name="", reporter_phone="")
    (item,) = _items(o311)
    assert item["address_id"] is None and house.address not in (item["address"] or "")


def test_a_report_from_a_door_plate_never_publishes_the_house(o311, world):
    # The house code opens the door plate's page, which names the address down to the room.
    house = world.households["a"].house
    _case(world, channel="portal", house=house, lon=None, lat=None)
    (item,) = _items(o311)
    assert item["address_id"] is None and house.address not in (item["address"] or "")
    assert item["address"] == "第一网格, 幸福社区, 测试镇, 测试县"
    assert (item["long"], item["lat"]) != (house.lon, house.lat)


def test_an_address_the_reporter_typed_at_a_house_is_published(o311, world):
    house = world.households["a"].house
    _case(world, channel="portal", house=house, lon=None, lat=None, address="楼下垃圾亭")
    (item,) = _items(o311)
    assert (item["address_id"], item["address"]) == (None, "楼下垃圾亭")


def test_the_reporters_name_and_phone_appear_in_no_answer(o311, submit, world):
    reporter = {"first_name": "秘密", "last_name": "王", "phone": PHONE, "email": "wang@example.cn"}
    bodies = [submit(fmt, device_id="dev-1", **reporter).content.decode() for fmt in ("json", "xml")]
    _case(world, channel="open311")
    _case(world, channel="walk_in")
    bodies += [o311.get(f"requests.{fmt}").content.decode() for fmt in ("json", "xml")]
    for item in _items(o311):
        bodies += [
            o311.get(f"requests/{item['service_request_id']}.{f}").content.decode() for f in ("json", "xml")
        ]
    for body in bodies:
        for secret in (NAME, PHONE, PHONE[-4:], "wang@example.cn", "dev-1"):
            assert secret not in body


def test_the_status_filter_maps_open_and_closed(o311, world):
    waiting = _case(world)
    done = services.case_resolve(actor=world.grid_chief_a, case=_case(world), note="已清理")
    rated = services.case_rate(
        actor=None,
        case=services.case_resolve(actor=world.grid_chief_a, case=_case(world), note="已清理"),
        rating="satisfied",
        by_reporter=True,
    )
    assert _ids(_items(o311, status="open")) == {str(waiting.pk)}
    assert _ids(_items(o311, status="closed")) == {str(done.pk), str(rated.pk)}
    assert len(_items(o311, status="open,closed")) == 3
    notes = {i["service_request_id"]: i for i in _items(o311, status="closed")}
    assert notes[str(done.pk)]["expected_datetime"] is None
    assert notes[str(done.pk)]["updated_datetime"] is not None


def test_a_merged_duplicate_is_closed_and_says_where_it_went(o311, world):
    original = _case(world)
    duplicate = services.case_merge(actor=world.grid_chief_a, case=_case(world), into=original, note="重复")
    (item,) = o311.get(f"requests/{duplicate.pk}.json", headers={"Accept-Language": "en"}).json()
    assert item["status"] == "closed" and str(original.pk) in item["status_notes"]


def test_a_dispatched_request_names_the_lead_department(o311, world):
    case = _case(world, code="water")  # water starts at the community tier
    services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    (item,) = _items(o311)
    assert item["agency_responsible"] == "县水务局"


def test_the_service_code_filter_takes_a_comma_separated_list(o311, world):
    sanitation, water = _case(world), _case(world, code="water")
    _case(world, code="roads")
    assert _ids(_items(o311, service_code="water")) == {str(water.pk)}
    assert _ids(_items(o311, service_code="water, sanitation")) == {str(water.pk), str(sanitation.pk)}


def test_the_default_window_is_the_last_90_days_and_dates_narrow_it(o311, world):
    with clock.frozen(clock.now() - dt.timedelta(days=100)):
        old = _case(world, actor=None)  # the personas' roles start today
    recent = _case(world)
    assert _ids(_items(o311)) == {str(recent.pk)}
    start = (clock.now() - dt.timedelta(days=120)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (clock.now() - dt.timedelta(days=50)).strftime("%Y-%m-%dT%H:%M:%S+00:00")
    assert _ids(_items(o311, start_date=start, end_date=end)) == {str(old.pk)}
    assert _ids(_items(o311, start_date=start)) == {str(old.pk)}  # start alone: 90 days from it
    assert _ids(_items(o311, start_date=clock.now().strftime("%Y-%m-%d"))) == {str(recent.pk)}


def test_service_request_ids_override_every_other_filter(o311, world):
    with clock.frozen(clock.now() - dt.timedelta(days=200)):
        old = _case(world, actor=None)
    new = _case(world, code="water")
    items = _items(o311, service_request_id=f"{old.pk},{new.pk},nope", service_code="roads", status="closed")
    assert _ids(items) == {str(old.pk), str(new.pk)}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "pending"}, "status"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2026-13-45T00:00:00Z"}, "end_date"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2025-12-01T00:00:00Z"}, "end_date"),
        ({"start_date": "2025-01-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "start_date"),
    ],
)
def test_bad_query_arguments_are_400_naming_the_field(o311, world, params, field):
    response = o311.get("requests.json", **params)
    assert response.status_code == 400
    assert field in spec.check_errors(response.json(), 400)[0]
    assert field in spec.xml_errors(o311.get("requests.xml", **params).content, 400)[0]


def test_empty_optional_arguments_count_as_not_sent(o311, world):
    case = _case(world)
    params = {"service_request_id": "", "service_code": "", "status": "", "start_date": "", "end_date": ""}
    assert _ids(_items(o311, **params)) == {str(case.pk)}


def test_the_list_in_xml_has_the_spec_element_names(o311, world):
    case = _case(world, channel="open311")
    (row,) = _items(o311, "xml")
    assert (row["service_request_id"], row["status"], row["lat"]) == (str(case.pk), "open", "27.01")
    assert row["zipcode"] is None and row["media_url"] is None


def test_one_request_comes_as_a_list_of_one(o311, world):
    case = _case(world, channel="open311")
    response = o311.get(f"requests/{case.pk}.json")
    (item,) = response.json()
    spec.check_request(item)
    (row,) = spec.xml_items(
        o311.get(f"requests/{case.pk}.xml").content, "service_requests", "request", spec.REQUEST_FIELDS
    )
    assert item["service_request_id"] == row["service_request_id"] == str(case.pk)


@pytest.mark.parametrize("pk", ["999999", "abc", "private"])
def test_an_unknown_or_private_request_is_404_in_the_spec_format(o311, world, pk):
    if pk == "private":
        pk = str(_case(world, code="praise").pk)
        Category.objects.filter(code="praise").update(public=False)
    response = o311.get(f"requests/{pk}.json")
    assert response.status_code == 404
    assert "service_request_id" in spec.check_errors(response.json(), 404)[0]
    assert spec.xml_errors(o311.get(f"requests/{pk}.xml").content, 404)


def test_the_tracking_code_is_never_the_public_id(o311, world):
    case = _case(world, channel="open311")
    body = o311.get("requests.json").content.decode() + o311.get(f"requests/{case.pk}.xml").content.decode()
    assert case.code not in body
    assert o311.get(f"requests/{case.code}.json").status_code == 404


def test_the_list_costs_the_same_queries_for_3_or_30_requests(o311, world):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            _items(o311)
        return len(queries)

    for _ in range(3):
        _case(world, code="water")
    few = count()
    for i in range(27):
        case = _case(
            world,
            code="water" if i % 2 else "sanitation",
            house=world.households["b"].house,
            actor=world.secretary,
        )
        if i % 3 == 0:
            services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    assert count() == few
