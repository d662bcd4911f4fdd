"""What real clients send that a tidy one would not: every answer is the spec's, never a server error."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import pytest
from django.test import Client

from civicgrid.cases import services
from civicgrid.cases.models import Case, Category
from civicgrid.open311.tests import spec
from civicgrid.open311.tests.conftest import BASE, IN_GRID_A

pytestmark = pytest.mark.django_db


def _case(world, code="sanitation", **kw):
    fields = {"lon": 108.01, "lat": 27.01, "description": "楼道堆满杂物", **kw}
    return services.case_submit(
        actor=world.grid_worker_a,
        channel="open311",
        category=Category.objects.get(code=code),
        title="",
        **fields,
    )


def _ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {item["service_request_id"] for item in response.json()}


def test_a_list_argument_may_be_declared_more_than_once(o311, world):
    dirty, dark = _case(world, "sanitation"), _case(world, "roads")
    _case(world, "sanitation")  # a third, to show the id list filters
    both = _ids(o311.get("requests.json", service_code=["sanitation", "roads"]))
    assert both == _ids(o311.get("requests.json", service_code="sanitation,roads")) and len(both) == 3
    assert _ids(o311.get("requests.json", service_request_id=[str(dirty.pk), str(dark.pk)])) == {
        str(dirty.pk),
        str(dark.pk),
    }
    services.case_resolve(actor=world.secretary, case=dark, note="已修好")
    assert _ids(o311.get("requests.json", status=["open", "closed"])) == both


@pytest.mark.parametrize("raw", ["0{pk}", "²", "٤٠٥", "9" * 30, "-{pk}", "1e3"])
def test_an_id_that_is_not_ours_in_ascii_digits_names_nothing(o311, world, raw):
    case = _case(world)
    raw = raw.format(pk=case.pk)
    assert _ids(o311.get("requests.json", service_request_id=raw)) == set()
    response = o311.get(f"requests/{raw}.json")
    assert response.status_code == 404 and spec.check_errors(response.json(), 404)


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "9999-12-31T00:00:00Z"},
        {"start_date": "9999-12-31"},
        {"end_date": "0001-01-02T00:00:00Z"},
    ],
)
def test_dates_at_the_edge_of_the_calendar_hold_no_request(o311, world, params):
    _case(world)
    for fmt in ("json", "xml"):
        response = o311.get(f"requests.{fmt}", **params)
        assert response.status_code == 200, response.content
    assert _ids(o311.get("requests.json", **params)) == set()


def test_a_date_too_early_for_any_offset_is_a_400(o311, world):
    response = o311.get("requests.json", end_date="0001-01-01T00:00:00+08:00")
    assert spec.check_errors(response.json(), 400)[0].startswith("end_date")


def test_an_offset_whose_plus_was_not_encoded_is_read_as_meant(o311, world):
    case = _case(world)
    day = case.created_at.astimezone().date()
    client = Client()
    query = f"start_date={day}T00:00:00+08:00&end_date={day}T23:59:59+08:00"  # "+" arrives as " "
    assert _ids(client.get(f"{BASE}/requests.json?{query}")) == {str(case.pk)}


def test_a_year_or_a_month_is_a_w3_date(o311, world):
    case = _case(world)
    month = case.created_at.astimezone().strftime("%Y-%m")
    assert _ids(o311.get("requests.json", start_date=month)) == {str(case.pk)}
    response = o311.get("requests.json", start_date=month[:4])
    assert response.status_code in (200, 400)  # a whole year spans more than 90 days past its first day
    assert _ids(o311.get("requests.json", end_date=month, start_date=month)) == {str(case.pk)}
    assert spec.check_errors(o311.get("requests.json", start_date="2026-13").json(), 400)


def test_a_carriage_return_survives_the_xml(o311, world):
    _case(world, description="第一行\r\n第二行")
    response = o311.get("requests.xml")
    (item,) = ET.fromstring(response.content).iter("request")  # noqa: S314 - our own answer
    assert item.findtext("description") == "第一行\r\n第二行"
    assert o311.get("requests.json").json()[0]["description"] == "第一行\r\n第二行"


def test_a_form_labelled_in_another_charset_is_read_as_utf8(api_key, world):
    body = urlencode({"api_key": api_key, "service_code": "sanitation", "description": "dirty", **IN_GRID_A})
    response = Client().post(
        f"{BASE}/requests.json", body, content_type="application/x-www-form-urlencoded; charset=ISO-8859-1"
    )
    assert response.status_code == 200, response.content
    assert Case.objects.get().description == "dirty"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_form_past_the_field_limit_is_answered_in_the_spec_format(o311, api_key, world, fmt):
    fields = {"api_key": api_key, "service_code": "sanitation", **IN_GRID_A}
    fields.update({f"attribute[a{i}]": "x" for i in range(1100)})
    response = o311.post(f"requests.{fmt}", fields)
    assert response.status_code == 400 and response["Content-Type"] == (
        spec.JSON_TYPE if fmt == "json" else spec.XML_TYPE
    )
    assert not Case.objects.exists()


def test_a_browser_may_send_the_retry_key_across_origins(world):
    response = Client().options(
        f"{BASE}/requests.json",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST"},
    )
    assert response.status_code == 204 and response["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response["Access-Control-Allow-Methods"]
    assert "Idempotency-Key" in response["Access-Control-Allow-Headers"]
    get_only = Client().options(f"{BASE}/services.json")
    assert get_only["Access-Control-Allow-Methods"] == "GET, OPTIONS"


@pytest.mark.parametrize("path", ["services/", "requests/", "tokens/"])
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_resource_without_its_id_is_a_400_that_names_it(o311, world, path, fmt):
    response = o311.get(f"{path}.{fmt}")
    assert response.status_code == 400
    if fmt == "json":
        field = {"services/": "service_code", "requests/": "service_request_id", "tokens/": "token"}[path]
        assert field in spec.check_errors(response.json(), 400)[0]
