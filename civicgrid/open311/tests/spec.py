"""GeoReport v2 as a client sees it: the spec's documents, fields and types, and a client built only on
the spec's URL patterns and the standard library. The tests check every answer against these.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET

W3 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
SPEC_URL = "http://wiki.open311.org/GeoReport_v2"

SERVICE_FIELDS = ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"]
DEFINITION_FIELDS = ["service_code", "attributes"]
CREATED_FIELDS = ["service_request_id", "service_notice", "account_id"]
REQUEST_FIELDS = [
    "service_request_id",
    "status",
    "status_notes",
    "service_name",
    "service_code",
    "description",
    "agency_responsible",
    "service_notice",
    "requested_datetime",
    "updated_datetime",
    "expected_datetime",
    "address",
    "address_id",
    "zipcode",
    "lat",
    "long",
    "media_url",
]
ERROR_FIELDS = ["code", "description"]
DISCOVERY_FIELDS = ["changeset", "contact", "key_service", "endpoints"]
ENDPOINT_FIELDS = ["specification", "url", "changeset", "type", "formats"]

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"


def _text_or_none(value) -> bool:
    return value is None or isinstance(value, str)


def check_service(item: dict) -> None:
    assert list(item) == SERVICE_FIELDS
    for name in ("service_code", "service_name", "description", "keywords", "group"):
        assert isinstance(item[name], str) and item[name], name
    assert isinstance(item["metadata"], bool)
    assert item["type"] in ("realtime", "batch", "blackbox")


def check_definition(doc: dict, code: str) -> None:
    assert list(doc) == DEFINITION_FIELDS
    assert doc["service_code"] == code
    assert isinstance(doc["attributes"], list)


def check_created(item: dict) -> None:
    assert list(item) == CREATED_FIELDS  # a service_request_id, so no token
    assert isinstance(item["service_request_id"], str) and item["service_request_id"]
    assert _text_or_none(item["service_notice"]) and _text_or_none(item["account_id"])


def check_request(item: dict) -> None:
    assert list(item) == REQUEST_FIELDS
    assert isinstance(item["service_request_id"], str) and item["service_request_id"]
    assert item["status"] in ("open", "closed")
    for name in ("service_name", "service_code"):
        assert isinstance(item[name], str) and item[name], name
    for name in ("requested_datetime", "updated_datetime"):
        assert W3.match(item[name]), (name, item[name])
    assert item["expected_datetime"] is None or W3.match(item["expected_datetime"])
    for name in ("status_notes", "description", "agency_responsible", "service_notice", "address"):
        assert _text_or_none(item[name]), name
    for name in ("address_id", "zipcode", "media_url"):
        assert _text_or_none(item[name]), name
    for name, bound in (("lat", 90), ("long", 180)):
        assert item[name] is None or (isinstance(item[name], float) and -bound <= item[name] <= bound)


def check_errors(body: list, status: int) -> list[str]:
    assert isinstance(body, list) and body
    for item in body:
        assert list(item) == ERROR_FIELDS
        assert item["code"] == status and isinstance(item["description"], str) and item["description"]
    return [item["description"] for item in body]


def check_discovery(doc: dict) -> dict:
    assert list(doc) == DISCOVERY_FIELDS
    (endpoint,) = doc["endpoints"]
    assert list(endpoint) == ENDPOINT_FIELDS
    assert endpoint["specification"] == SPEC_URL
    assert set(endpoint["formats"]) == {"application/json", "text/xml"}
    return endpoint


# --- XML: parsed with ElementTree, element names checked against the same field lists.


def xml_root(body: bytes, root: str) -> ET.Element:
    assert body.startswith(b'<?xml version="1.0" encoding="UTF-8"?>'), body[:60]
    element = ET.fromstring(body)  # noqa: S314 - our own server's answer, in a test
    assert element.tag == root
    return element


def xml_items(body: bytes, root: str, item: str, fields: list[str]) -> list[dict]:
    """The repeated items of a list document, each as {field: text}, after checking their element names."""
    rows = []
    for element in xml_root(body, root):
        assert element.tag == item
        assert [child.tag for child in element] == fields
        rows.append({child.tag: child.text for child in element})
    return rows


def xml_errors(body: bytes, status: int) -> list[str]:
    rows = xml_items(body, "errors", "error", ERROR_FIELDS)
    assert rows and all(row["code"] == str(status) for row in rows)
    return [row["description"] for row in rows]


# --- A client that knows only the spec's URL patterns.


class Response:
    def __init__(self, status: int, content_type: str, body: bytes):
        self.status, self.content_type, self.body = status, content_type, body

    def json(self):
        return json.loads(self.body.decode("utf-8"))


class GeoReportClient:
    def __init__(self, endpoint: str, *, api_key: str | None = None, fmt: str = "json", language: str = ""):
        self.endpoint, self.api_key, self.fmt, self.language = endpoint.rstrip("/"), api_key, fmt, language

    def _call(self, path: str, *, params: dict | None = None, form: dict | None = None, headers=None):
        url = f"{self.endpoint}/{path}.{self.fmt}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(url, data=data, headers=dict(headers or {}))  # noqa: S310
        if data is not None:
            request.add_header("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
        if self.language:
            request.add_header("Accept-Language", self.language)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the test server
                return Response(response.status, response.headers["Content-Type"], response.read())
        except urllib.error.HTTPError as error:
            return Response(error.code, error.headers["Content-Type"], error.read())

    def discovery(self):
        return self._call("discovery")

    def services(self):
        return self._call("services")

    def definition(self, code: str):
        return self._call(f"services/{code}")

    def submit(self, headers=None, **fields):
        form = {"api_key": self.api_key, **fields} if self.api_key else fields
        return self._call("requests", form=form, headers=headers)

    def requests(self, **params):
        return self._call("requests", params=params)

    def request(self, service_request_id: str):
        return self._call(f"requests/{service_request_id}")

    def token(self, token: str):
        return self._call(f"tokens/{token}")
