"""Export: masked personal data, neutralised formulas, scoped rows, audited."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.audit.models import AuditEvent
from civicgrid.registry import services

pytestmark = pytest.mark.django_db


def _sheet(response):
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def test_export_masks_ids_and_neutralises_formulas(world, client_for):
    resident = world.households["a"].head
    services.resident_update(actor=world.secretary, resident=resident, data={"name": '=HYPERLINK("x")'})
    response = client_for(world.secretary).get(reverse("registry:resident_export"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    rows = _sheet(response)
    header, body = rows[0], rows[1:]
    id_col = header.index("ID number")
    names = [r[header.index("Name")] for r in body]
    assert '\'=HYPERLINK("x")' in names
    plain_ids = {m.id_number.plaintext() for h in ("a", "b", "c") for m in world.households[h].members.all()}
    assert len(body) == len(plain_ids)
    for row in body:
        assert row[id_col] not in plain_ids
        assert "*" in row[id_col]
    assert not any(str(cell) in plain_ids for row in body for cell in row)


def test_export_holds_only_rows_in_scope(world, client_for):
    response = client_for(world.secretary).get(reverse("registry:resident_export"))
    exported = len(_sheet(response)) - 1
    assert exported == sum(world.households[h].members.count() for h in ("a", "b", "c"))


def test_export_is_audited(world, client_for):
    client_for(world.secretary).get(reverse("registry:resident_export"))
    event = AuditEvent.objects.filter(action="registry.export").get()
    assert event.actor == world.secretary and event.summary["rows"] == 6


def test_grid_chief_may_not_export(world, client_for):
    assert client_for(world.grid_chief_a).get(reverse("registry:resident_export")).status_code == 403
