"""The ledger (台账): scoped, masked, neutralised, audited, cut at its limits; the PDF sets Chinese."""

from __future__ import annotations

import io
import subprocess

import pytest
from django.utils import translation
from openpyxl import load_workbook

from civicgrid.audit.models import AuditEvent
from civicgrid.cases import ledger, selectors, services
from civicgrid.cases.models import Case
from civicgrid.cases.tests.test_measures import SOME_MONTH, at, submit
from civicgrid.core import clock

pytestmark = pytest.mark.django_db
URL = "/cases/measures/"


def make_ledger_cases(world):
    with clock.frozen(at(SOME_MONTH)):
        plain = submit(world, "a", title="路灯不亮", description="楼下路灯坏了三天")
        formula = submit(world, "b", title='=HYPERLINK("http://x")', description="+1 公式注入")
        submit(world, "x", title="村道积水")
        services.case_resolve(actor=world.grid_chief_a, case=plain, note="已修好", on_the_spot=True)
    return plain, formula


def test_the_ledger_page_lists_masked_reporters(world, client_for):
    make_ledger_cases(world)
    page = client_for(world.secretary).get(f"{URL}ledger/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "路灯不亮" in html and "村道积水" not in html  # C2 is outside the secretary's community
    assert "王*" in html and "王五" not in html
    assert "139****5678" in html and "13912345678" not in html


def test_a_grid_chief_may_not_export_the_ledger(world, client_for):
    chief = client_for(world.grid_chief_a)
    assert chief.get(f"{URL}ledger/").status_code == 403
    assert chief.get(f"{URL}ledger.pdf").status_code == 403


def test_the_xlsx_ledger_is_masked_neutralised_scoped_and_audited(world, client_for):
    make_ledger_cases(world)
    response = client_for(world.secretary).get(
        f"{URL}ledger.xlsx?received_from={SOME_MONTH:%Y-%m-%d}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = [[c for c in row] for row in book.active.iter_rows(values_only=True)]
    header = cells[2]
    body = cells[3:]
    assert translation.gettext("Tracking code") in header
    titles = {row[5] for row in body}
    assert titles == {"路灯不亮", '\'=HYPERLINK("http://x")'}
    flat = " ".join(str(c) for row in cells for c in row if c)
    assert "13912345678" not in flat and "139****5678" in flat
    assert "王五" not in flat and "王*" in flat
    event = AuditEvent.objects.get(action="cases.export")
    assert event.actor == world.secretary and event.summary["rows"] == 2 and event.summary["format"] == "xlsx"


def test_the_xlsx_ledger_is_cut_at_its_limit_with_a_note(world):
    make_ledger_cases(world)
    out, count = ledger.ledger_xlsx(world.town_officer, selectors.CaseFilters(), limit=2)
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert count == 2 and len(rows) == 3 + 2 + 1
    assert "2" in rows[-1][0]


def test_submitted_text_loses_its_control_characters_and_older_rows_still_export(world):
    plain, _ = make_ledger_cases(world)
    typed = submit(world, "a", title="灯\x01\x02坏了\x0b", description="楼道\x00灯\r\n不亮")
    assert (typed.title, typed.description) == ("灯坏了", "楼道灯\r\n不亮")
    Case.objects.filter(pk=plain.pk).update(title="路灯\x01不亮")  # a row from before intake dropped them
    out, count = ledger.ledger_xlsx(world.town_officer, selectors.CaseFilters())
    titles = {cell for row in load_workbook(out).active.iter_rows(values_only=True) for cell in row}
    assert count == 4 and {"路灯不亮", "灯坏了"} <= titles


def test_the_pdf_ledger_renders_chinese(world, client_for, tmp_path):
    make_ledger_cases(world)
    response = client_for(world.secretary).get(f"{URL}ledger.pdf", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    data = response.content
    assert data.startswith(b"%PDF")
    path = tmp_path / "ledger.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    text = "".join(text.split())  # a narrow column may wrap a name over two lines
    assert "路灯不亮" in text and "幸福社区" in text
    assert "13912345678" not in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    assert "Noto-Sans-CJK-SC" in fonts
    assert AuditEvent.objects.filter(action="cases.export", summary__format="pdf").count() == 1


def test_the_pdf_ledger_is_cut_at_its_limit_with_a_note(world, tmp_path):
    make_ledger_cases(world)
    with translation.override("en"):
        data, count = ledger.ledger_pdf(world.town_officer, selectors.CaseFilters(), limit=1)
    path = tmp_path / "cut.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    assert count == 1
    assert "Only the newest 1 cases are printed" in " ".join(text.split())
    assert "村道积水" in "".join(text.split())  # the newest case is the one kept


def test_a_name_is_masked_to_its_first_character():
    assert ledger.mask_name("王小明") == "王**"
    assert ledger.mask_name("") == ""
