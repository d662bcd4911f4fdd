"""Door plate sheets: a PDF for a grid or a unit, with each house's QR code, code, address and places,
its fixed words in both languages; scoped like the registry, capped with a clear message, audited.
"""

from __future__ import annotations

import re
import subprocess

import pytest
from django.test import override_settings
from django.urls import reverse

from civicgrid.audit.models import AuditEvent
from civicgrid.core.errors import ApplicationError
from civicgrid.prints.models import Print
from civicgrid.registry import plates, services

BASE = "https://gov.example.cn"


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "plates.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
    return "".join(text.split())


def test_a_grid_sheet_has_every_house_with_code_address_places_and_both_languages(world, tmp_path):
    house = world.households["a"].house
    data, count = plates.plates_pdf(world.grid_chief_a, world.grid_a, base_url=BASE)
    assert data.startswith(b"%PDF") and count == 1
    text = pdf_text(data, tmp_path)
    assert house.house_code in text and "".join(house.address.split()) in text
    assert "幸福社区·第一网格·A1单元" in text
    assert "门牌" in text and "Doorplate" in text
    assert f"{BASE}/p/{house.house_code}/" in text


def test_the_qr_code_encodes_the_house_portal_url(world):
    house = world.households["a"].house
    url = plates.house_url(BASE, house.house_code)
    assert url == f"{BASE}/p/{house.house_code}/"
    qr = plates.qr_code(url)
    # segno does not decode; the symbol made for the plate is the one made for this URL, and differs
    # from another house's.
    assert qr.matrix == plates.qr_code(url).matrix
    assert qr.matrix != plates.qr_code(plates.house_url(BASE, "H000000000")).matrix
    assert qr.error == "M" and not qr.is_micro


def test_the_base_url_comes_from_the_setting_before_the_request(rf):
    request = rf.get("/", HTTP_HOST="localhost")
    assert plates.public_base_url(request) == "http://localhost"
    with override_settings(CIVICGRID_PUBLIC_URL="https://gov.example.cn/"):
        assert plates.public_base_url(request) == "https://gov.example.cn"


def test_eight_plates_fit_a_page(world, tmp_path):
    for i in range(9):
        services.house_create(actor=world.secretary, unit=world.unit_a1, address=f"幸福路{i}号")
    data, count = plates.plates_pdf(world.secretary, world.unit_a1, base_url=BASE)
    path = tmp_path / "p.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, check=True).stdout.decode()
    assert count == 10 and re.search(r"^Pages:\s+2$", info, re.M)
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, check=True).stdout.decode()
    assert "Noto-Sans-CJK-SC" in fonts


def test_a_sheet_past_the_limit_is_refused_with_the_count(world):
    services.house_create(actor=world.secretary, unit=world.unit_a1, address="幸福路1号")
    with pytest.raises(ApplicationError) as exc:
        plates.plates_pdf(world.secretary, world.grid_a, base_url=BASE, limit=1)
    assert exc.value.code == "too_many" and "2" in exc.value.message


def test_a_community_is_not_a_plate_sheet(world):
    with pytest.raises(ApplicationError):
        plates.plates_pdf(world.secretary, world.c1, base_url=BASE)


def test_printing_is_audited(world):
    plates.plates_pdf(world.grid_chief_a, world.unit_a1, base_url=BASE)
    event = AuditEvent.objects.get(action="registry.plates")
    assert event.actor == world.grid_chief_a and event.summary == {"plates": 1}


def test_the_picker_queues_the_sheet_and_its_print_page_gives_the_pdf(world, client_for):
    client = client_for(world.grid_chief_a)
    asked = client.post(reverse("registry:plates_pick"), {"territory": world.grid_a.pk})
    assert asked.status_code == 302 and asked["Location"].startswith("/prints/")
    page = client.get(asked["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()  # worker: immediate
    assert "Download the PDF" in page and re.search(r"\b\d+ door plates?\b", page)
    response = client.get(asked["Location"] + "file.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="door-plates-{world.grid_a.code}.pdf"' in response["Content-Disposition"]
    assert client_for(world.grid_chief_b).get(asked["Location"]).status_code == 404  # the asker's alone


def test_the_sheet_url_opens_the_page_with_its_place_chosen(world, client_for):
    response = client_for(world.grid_chief_a).get(reverse("registry:plate_sheet", args=[world.grid_a.pk]))
    assert response.status_code == 200
    assert f'<option value="{world.grid_a.pk}" selected>' in response.content.decode()


def test_a_sibling_grid_sheet_does_not_exist_for_the_grid_chief(world, client_for):
    url = reverse("registry:plate_sheet", args=[world.grid_b.pk])
    assert client_for(world.grid_chief_a).get(url).status_code == 404


def test_a_town_officer_sees_but_may_not_print_plates(world, client_for):
    url = reverse("registry:plate_sheet", args=[world.grid_a.pk])
    assert client_for(world.town_officer).get(url).status_code == 403
    assert client_for(world.town_officer).get(reverse("registry:plates")).status_code == 403


def test_the_plates_page_offers_my_grids_and_units_only(world, client_for):
    page = client_for(world.grid_chief_a).get(reverse("registry:plates")).content.decode()
    assert "A1单元" in page and "第一网格" in page and "B1单元" not in page


def test_an_old_picker_link_leads_to_the_sheets_page(world, client_for):
    response = client_for(world.grid_chief_a).get(
        reverse("registry:plates_pick"), {"territory": world.unit_a1.pk}
    )
    assert response.status_code == 302 and response.url.endswith(f"/plates/{world.unit_a1.pk}/")


def test_the_sheet_page_s_old_pdf_address_leads_to_it(world, client_for):
    """The page had an address ending in .pdf, where a browser or a proxy expects a file."""
    client = client_for(world.grid_chief_a)
    response = client.get(f"/registry/plates/{world.grid_a.pk}.pdf")
    assert response.status_code == 301
    assert response.url == reverse("registry:plate_sheet", args=[world.grid_a.pk])
    assert f'<option value="{world.grid_a.pk}" selected>' in client.get(response.url).content.decode()


def test_a_too_big_sheet_explains_itself_on_the_page(world, client_for, monkeypatch):
    monkeypatch.setattr(plates, "PLATE_LIMIT", 0)
    monkeypatch.setattr(plates.plates_pdf, "__kwdefaults__", {"limit": 0})
    url = reverse("registry:plate_sheet", args=[world.grid_a.pk])
    response = client_for(world.grid_chief_a).post(url)
    assert response.status_code == 400 and 'id="plates-error"' in response.content.decode()
    assert not Print.objects.exists()  # refused when asked, not later in the worker


def test_the_household_list_of_a_grid_offers_its_plates(world, client_for):
    page = client_for(world.grid_chief_a).get(
        reverse("registry:household_list"), {"territory": world.grid_a.pk}
    )
    assert reverse("registry:plate_sheet", args=[world.grid_a.pk]) in page.content.decode()
