"""The two wire formats of GeoReport v2: XML (required by the spec) and JSON (its Spark mapping).

Views hand over plain data (dicts, lists, strings, numbers, booleans, None, datetimes); this module
writes it. XML is built with ElementTree, so every value is escaped and the document is well-formed,
with the declaration the spec asks for. A list under an XML element becomes repeated child elements
named by `ITEM_NAMES` (`services` → `service`), which is exactly how the Spark convention maps XML
repeated elements to JSON arrays.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone

JSON, XML = "json", "xml"
CONTENT_TYPES = {JSON: "application/json; charset=utf-8", XML: "text/xml; charset=utf-8"}
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'

# The element name of each item of a list, by the list's own element name.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "attributes": "attribute",
    "values": "value",
    "errors": "error",
    "endpoints": "endpoint",
    "formats": "format",
}

# Characters XML 1.0 cannot carry at all, even escaped; text typed into other channels may hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def w3(value: dt.datetime | None) -> str | None:
    """A w3 datetime with its UTC offset, in the server's time zone: 2026-11-05T08:15:30+08:00."""
    if value is None:
        return None
    return timezone.localtime(value).isoformat(timespec="seconds")


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return w3(value) or ""
    return _NOT_XML.sub("", str(value))


def _json_default(value):
    if isinstance(value, dt.datetime):
        return w3(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _fill(element: ET.Element, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ET.SubElement(element, name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> bytes:
    element = ET.Element(root)
    _fill(element, data)
    # A raw carriage return would be read back as a line feed (XML normalises line ends): written as
    # a character reference it survives. ElementTree writes none of its own, so each is from a value.
    text = ET.tostring(element, encoding="unicode").replace("\r", "&#13;")
    return (XML_DECLARATION + text).encode("utf-8")


def to_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, default=_json_default).encode("utf-8")


def render(fmt: str, root: str, data, *, status: int = 200) -> HttpResponse:
    """`data` is what sits inside the XML root: a list for `services`, a dict for `service_definition`.

    In JSON the root element is dropped (a list stays a list, a dict stays an object), as the spec's
    examples do.
    """
    body = to_json(data) if fmt == JSON else to_xml(root, data)
    response = HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])
    # The data is public and no cookie authenticates anything here: any web client may read it.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def errors(fmt: str, status: int, *descriptions: str) -> HttpResponse:
    """The spec's error document: one `error` (code, description) per problem, the HTTP status as code."""
    items = [{"code": status, "description": str(d)} for d in descriptions]
    return render(fmt, "errors", items, status=status)


def fmt_of(path_or_suffix: str) -> str:
    """The format a client asked for by its URL suffix; XML when unclear, since XML is the required one."""
    return JSON if path_or_suffix.rstrip("/").endswith("json") else XML
