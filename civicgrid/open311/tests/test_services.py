"""Service discovery, the service list and service definitions, in JSON and XML, in both languages."""

from __future__ import annotations

import pytest

from civicgrid.cases.models import Category
from civicgrid.open311.tests import spec

pytestmark = pytest.mark.django_db


def test_discovery_lists_this_endpoint_at_the_requested_host_with_both_formats(o311, world, settings):
    settings.ALLOWED_HOSTS = ["grid.example.gov.cn"]
    response = o311.get("discovery.json", headers={"Host": "grid.example.gov.cn"})
    assert response.status_code == 200 and response["Content-Type"] == spec.JSON_TYPE
    endpoint = spec.check_discovery(response.json())
    assert endpoint["url"] == "http://grid.example.gov.cn/open311/v2"
    assert endpoint["type"] == "production"
    assert response.json()["contact"] and response.json()["key_service"]


def test_discovery_in_xml_has_the_spec_element_names(o311, world):
    response = o311.get("discovery.xml")
    assert response["Content-Type"] == spec.XML_TYPE
    root = spec.xml_root(response.content, "discovery")
    assert [c.tag for c in root] == spec.DISCOVERY_FIELDS
    (endpoint,) = root.find("endpoints")
    assert [c.tag for c in endpoint] == spec.ENDPOINT_FIELDS
    assert endpoint.findtext("specification") == spec.SPEC_URL
    assert sorted(f.text for f in endpoint.find("formats")) == ["application/json", "text/xml"]


def test_the_changeset_moves_when_the_catalogue_is_edited(o311, world):
    from civicgrid.audit.services import audit_record

    before = o311.get("discovery.json").json()["changeset"]
    audit_record(actor=None, action="category.update", obj=Category.objects.get(code="water"))
    after = o311.get("discovery.json").json()["changeset"]
    assert after is not None and after != before and spec.W3.match(after)


def test_services_are_the_public_active_categories_in_chinese_by_default(o311, world):
    Category.objects.filter(code="praise").update(public=False)
    Category.objects.filter(code="market").update(active=False)
    response = o311.get("services.json")
    assert response.status_code == 200 and response["Content-Type"] == spec.JSON_TYPE
    services = response.json()
    for item in services:
        spec.check_service(item)
    by_code = {s["service_code"]: s for s in services}
    assert "praise" not in by_code and "market" not in by_code
    assert by_code["water"]["service_name"] == "供水"
    assert by_code["water"]["group"] == "水电气暖"
    assert by_code["water"]["metadata"] is False and by_code["water"]["type"] == "realtime"
    assert "Water supply" in by_code["water"]["keywords"]


def test_services_speak_english_when_accept_language_asks(o311, world):
    services = o311.get("services.json", headers={"Accept-Language": "en-US,en;q=0.9"}).json()
    water = next(s for s in services if s["service_code"] == "water")
    assert (water["service_name"], water["group"]) == ("Water supply", "Water, power, gas and heating")
    assert "community" in water["description"]


@pytest.mark.parametrize("param", ["locale", "lang"])
def test_a_locale_or_lang_parameter_wins_over_accept_language(o311, world, param):
    response = o311.get("services.json", headers={"Accept-Language": "zh-CN"}, **{param: "en_US"})
    water = next(s for s in response.json() if s["service_code"] == "water")
    assert water["service_name"] == "Water supply"
    back = o311.get("services.json", headers={"Accept-Language": "en"}, **{param: "zh-CN"}).json()
    assert next(s for s in back if s["service_code"] == "water")["service_name"] == "供水"


def test_services_in_xml_parse_with_the_spec_element_names(o311, world):
    response = o311.get("services.xml")
    assert response.status_code == 200 and response["Content-Type"] == spec.XML_TYPE
    rows = spec.xml_items(response.content, "services", "service", spec.SERVICE_FIELDS)
    water = next(r for r in rows if r["service_code"] == "water")
    assert (water["metadata"], water["type"], water["service_name"]) == ("false", "realtime", "供水")
    assert len(rows) == Category.objects.filter(public=True, active=True).count()


def test_a_service_definition_has_an_empty_attribute_list(o311, world):
    response = o311.get("services/water.json")
    assert response.status_code == 200
    spec.check_definition(response.json(), "water")
    root = spec.xml_root(o311.get("services/water.xml").content, "service_definition")
    assert [c.tag for c in root] == spec.DEFINITION_FIELDS
    assert root.findtext("service_code") == "water" and len(root.find("attributes")) == 0


@pytest.mark.parametrize("code", ["no-such-thing", "praise"])
def test_an_unknown_or_private_service_code_is_404_in_the_spec_error_format(o311, world, code):
    Category.objects.filter(code="praise").update(public=False)
    response = o311.get(f"services/{code}.json")
    assert response.status_code == 404 and response["Content-Type"] == spec.JSON_TYPE
    (message,) = spec.check_errors(response.json(), 404)
    assert "service_code" in message and code in message
    xml = o311.get(f"services/{code}.xml")
    assert xml.status_code == 404 and "service_code" in spec.xml_errors(xml.content, 404)[0]


def test_an_unknown_resource_or_format_is_404_in_the_spec_error_format(o311, world):
    assert spec.check_errors(o311.get("nothing.json").json(), 404)
    response = o311.get("services.html")
    assert response.status_code == 404 and spec.xml_errors(response.content, 404)


def test_a_write_to_a_read_only_resource_is_refused_in_the_spec_format(o311, world):
    response = o311.post("services.json", {"service_code": "water"})
    assert response.status_code == 405 and response["Allow"] == "GET"
    assert spec.check_errors(response.json(), 405)
    response = o311.post("requests/1.xml", {})
    assert response.status_code == 405 and spec.xml_errors(response.content, 405)


def test_tokens_are_never_issued_so_any_token_is_404(o311, world):
    response = o311.get("tokens/12345.json")
    assert response.status_code == 404
    assert "token" in spec.check_errors(response.json(), 404)[0]
    assert spec.xml_errors(o311.get("tokens/12345.xml").content, 404)


def test_text_that_xml_cannot_carry_is_dropped_so_the_document_stays_well_formed(o311, world):
    Category.objects.filter(code="water").update(name_zh="供水\x0b\x1b<&>")
    rows = spec.xml_items(o311.get("services.xml").content, "services", "service", spec.SERVICE_FIELDS)
    assert next(r for r in rows if r["service_code"] == "water")["service_name"] == "供水<&>"
