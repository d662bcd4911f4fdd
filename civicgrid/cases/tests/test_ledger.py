"""The ledger (台账): scoped, masked, neutralised, audited, cut at its limits; the PDF sets Chinese."""

from __future__ import annotations

import io
import re
import subprocess

import pytest
from django.utils import translation
from openpyxl import load_workbook

from civicgrid.audit.models import AuditEvent
from civicgrid.cases import ledger, selectors, services
from civicgrid.cases.models import Case
from civicgrid.cases.tests.test_measures import SOME_MONTH, at, submit
from civicgrid.core import clock
from civicgrid.prints import services as print_services
from civicgrid.prints.models import Print

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
    assert chief.post(f"{URL}ledger.pdf", {"query": ""}).status_code == 403


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


def _print(client, query="", lang="zh-hans"):
    """Ask for a print as the ledger page does; the worker (immediate in tests) lays it out."""
    asked = client.post(f"{URL}ledger.pdf", {"query": query}, HTTP_ACCEPT_LANGUAGE=lang)
    assert asked.status_code == 302, asked.status_code
    return asked["Location"]


def test_the_pdf_ledger_renders_chinese(world, client_for, tmp_path):
    make_ledger_cases(world)
    client = client_for(world.secretary)
    page = client.get(_print(client)).content.decode()
    assert Print.objects.get().status == "done" and 'lang="zh-hans"' in page
    (file_url,) = re.findall(r'href="([^"]+/file\.pdf)"', page)
    response = client.get(file_url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert 'filename="ledger-' in response["Content-Disposition"]
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
    assert AuditEvent.objects.filter(action="prints.fetch", summary__kind="ledger").count() == 1


def test_a_print_is_its_requesters_alone_and_a_refused_one_is_not_queued(world, client_for):
    make_ledger_cases(world)
    mine = _print(client_for(world.secretary))
    other = client_for(world.town_officer)
    assert other.get(mine).status_code == 404 and other.get(mine + "file.pdf").status_code == 404
    assert client_for(world.grid_chief_a).post(f"{URL}ledger.pdf", {"query": ""}).status_code == 403
    assert Print.objects.count() == 1


def test_a_link_to_the_print_opens_the_page_that_asks_for_it(world, client_for):
    client = client_for(world.secretary)
    page = client.get(f"{URL}ledger.pdf?state=closed").content.decode()
    assert 'name="query" value="state=closed"' in page and not Print.objects.exists()
    assert client_for(world.grid_chief_a).get(f"{URL}ledger.pdf").status_code == 403


def test_a_print_waiting_for_the_worker_shows_its_progress_and_polls(world, client_for):
    client = client_for(world.secretary)
    made = Print.objects.create(kind="ledger", requested_by=world.secretary, params={"query": ""})
    page = client.get(f"/prints/{made.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<progress" in page and 'hx-trigger="every 2s"' in page
    assert client.get(f"/prints/{made.pk}/file.pdf").status_code == 404
    print_services.print_make(made.pk)
    made.refresh_from_db()
    assert made.status == "done" and bytes(made.pdf).startswith(b"%PDF") and made.rows == 0
    print_services.print_make(made.pk)  # a second worker, or a retry, finds it claimed
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
