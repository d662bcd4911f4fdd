"""End to end over HTTP against a live server, with no browser: a published GeoReport v2 client library
(`georeport`, which reads services and requests but cannot submit) and a client written from the spec's
URL patterns alone, which discovers the endpoint, submits, and reads everything back in both formats.
"""

from __future__ import annotations

import pytest
from georeport import GeoReport

from civicgrid.accounts.tokens import token_create
from civicgrid.cases import catalogue
from civicgrid.cases.models import Case, Category, Channel
from civicgrid.open311.tests import spec
from civicgrid.testing import build_world, make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live(live_server):
    catalogue.install(Category)  # a transactional test before this one may have flushed the catalogue
    world = build_world()
    _, key = token_create(actor=None, user=make_user("open311-app"), name="e2e")
    return world, f"{live_server.url}/open311/v2", key


def test_the_georeport_library_lists_services_and_reads_back_a_submitted_request(live):
    world, endpoint, key = live
    client = GeoReport(endpoint, api_key=key)
    services = client.get_service_list()
    assert {s["service_code"] for s in services} >= {"sanitation", "water"}
    for item in services:
        spec.check_service(item)
    assert client.get_service_definition("water") == {"service_code": "water", "attributes": []}

    posted = spec.GeoReportClient(endpoint, api_key=key).submit(
        service_code="sanitation", lat="27.02", long="108.02", description="路灯不亮", first_name="匿"
    )
    assert posted.status == 200
    (created,) = posted.json()
    request_id = created["service_request_id"]
    assert Case.objects.get(pk=int(request_id)).channel == Channel.OPEN311

    listed = client.get_service_requests(service_code="sanitation", status="open")
    assert [r["service_request_id"] for r in listed] == [request_id]
    one = client.get_service_request(request_id)
    spec.check_request(one)
    assert (one["description"], one["agency_responsible"]) == ("路灯不亮", "第一网格")


def test_the_georeport_library_reads_the_xml_format_too(live):
    world, endpoint, key = live
    spec.GeoReportClient(endpoint, api_key=key).submit(
        service_code="water", lat="27.03", long="108.01", description="停水"
    )
    client = GeoReport(endpoint, output_format="xml")
    services = client.get_service_list()
    assert {"service_code": "water", "metadata": "false"}.items() <= next(
        s for s in services if s["service_code"] == "water"
    ).items()
    assert client.get_service_definition("water")["service_code"] == "water"
    request = client.get_service_request(client.get_service_requests()["service_request_id"])
    assert (request["service_code"], request["status"], request["description"]) == ("water", "open", "停水")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_built_from_the_spec_alone_discovers_submits_and_fetches(live, fmt):
    world, endpoint, key = live
    discovered = spec.check_discovery(spec.GeoReportClient(endpoint).discovery().json())
    assert discovered["url"] == endpoint
    client = spec.GeoReportClient(discovered["url"], api_key=key, fmt=fmt, language="en")

    def items(response, root, item, fields, check):
        assert response.status == 200
        assert response.content_type == (spec.JSON_TYPE if fmt == "json" else spec.XML_TYPE)
        if fmt == "xml":
            return spec.xml_items(response.body, root, item, fields)
        rows = response.json()
        for row in rows:
            check(row)
        return rows

    services = items(client.services(), "services", "service", spec.SERVICE_FIELDS, spec.check_service)
    water = next(s for s in services if s["service_code"] == "water")
    assert water["service_name"] == "Water supply"

    created = items(
        client.submit(service_code="water", lat="27.01", long="108.01", description="No water since noon"),
        "service_requests",
        "request",
        spec.CREATED_FIELDS,
        spec.check_created,
    )
    request_id = created[0]["service_request_id"]
    for response in (client.request(request_id), client.requests(service_request_id=request_id)):
        (row,) = items(response, "service_requests", "request", spec.REQUEST_FIELDS, spec.check_request)
        assert (row["service_request_id"], row["status"], row["service_name"]) == (
            request_id,
            "open",
            "Water supply",
        )

    refused = spec.GeoReportClient(endpoint, fmt=fmt).submit(service_code="water", description="x")
    missing = client.request("999999")
    for response, status in ((refused, 403), (missing, 404), (client.token("abc"), 404)):
        assert response.status == status
        if fmt == "xml":
            assert spec.xml_errors(response.body, status)
        else:
            assert spec.check_errors(response.json(), status)
