"""The resident's path in a real browser at phone width, in both languages: scan the door plate,
report with a photo, keep the code, and rate the case once it is resolved.
"""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import expect

from civicgrid.cases import catalogue, services
from civicgrid.cases.models import Attachment, Case, Category, Channel, State

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh": {"lang": "zh-hans", "category": "环境卫生"},
    "en": {"lang": "en", "category": "Sanitation"},
}


def _tiny_png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (12, 9), (30, 90, 200)).save(out, "PNG")
    return out.getvalue()


def _fits_the_phone(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_reports_from_the_door_plate_and_rates_the_result(live_server, world, phone_context, lang):
    catalogue.install(Category)  # a transactional test empties the tables the data migration filled
    words = WORDS[lang]
    house = world.households["a"].house
    page = phone_context(lang).new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{live_server.url}/p/{house.house_code}/")
    expect(page.locator("html")).to_have_attribute("lang", words["lang"])
    expect(page.get_by_role("heading", level=1)).to_have_text(house.address)
    _fits_the_phone(page)
    page.locator(f"a.button.primary[href='/p/{house.house_code}/report/']").click()

    sanitation = Category.objects.get(code="sanitation")
    expect(page.locator(f"select[name=category] option[value='{sanitation.pk}']")).to_have_text(
        words["category"]
    )
    page.select_option("select[name=category]", value=str(sanitation.pk))
    page.fill("textarea[name=description]", f"楼道里堆满杂物 ({lang})")
    page.set_input_files(
        "input[name=photo]", files=[{"name": "door.png", "mimeType": "image/png", "buffer": _tiny_png()}]
    )
    page.fill("input[name=name]", "王先生")
    _fits_the_phone(page)
    page.locator("form.report-form button[type=submit]").click()

    code_box = page.locator("#tracking-code")
    expect(code_box).to_be_visible()
    code = code_box.inner_text().strip()
    _fits_the_phone(page)
    case = Case.objects.get(code=code)
    assert case.channel == Channel.PORTAL and case.house_id == house.pk
    assert Attachment.objects.filter(case=case, public=True).count() == 1

    # Staff handle it meanwhile.
    services.case_respond(actor=world.grid_chief_a, case=case)
    services.case_resolve(actor=world.grid_chief_a, case=case, note="已清理干净")

    page.locator(f"a.button.primary[href='/p/track/{code}/']").click()
    expect(page.locator("#case-state")).to_have_class("state state-resolved")
    expect(page.get_by_text("已清理干净")).to_be_visible()
    expect(page.locator(".timeline img.thumb")).to_have_count(1)
    _fits_the_phone(page)
    page.locator("input[name=rating][value=satisfied]").check()
    page.locator("#rate button[type=submit]").click()
    expect(page.locator("#case-state")).to_have_class("state state-closed")
    expect(page.locator(".msg-success")).to_be_visible()
    _fits_the_phone(page)

    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "satisfied"
    assert csp_errors == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_anonymous_resident_reports_from_where_they_stand(live_server, world, phone_context, lang):
    catalogue.install(Category)
    context = phone_context(lang)
    context.grant_permissions(["geolocation"])
    context.set_geolocation({"longitude": 108.01, "latitude": 27.01})  # inside grid A
    page = context.new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{live_server.url}/p/report/")
    page.locator("button.js-locate").click()
    expect(page.locator("#locate")).to_have_class("locate located")
    assert page.locator("input[name=lon]").input_value() == "108.010000"
    page.select_option("select[name=category]", value=str(Category.objects.get(code="suggestion").pk))
    page.fill("textarea[name=description]", "建议在小区门口加装路灯")
    page.locator("input[name=anonymous]").check()
    expect(page.locator("input[name=name]")).to_be_hidden()  # nothing to fill in when anonymous
    _fits_the_phone(page)
    page.locator("form.report-form button[type=submit]").click()

    code = page.locator("#tracking-code").inner_text().strip()
    case = Case.objects.get(code=code)
    assert case.channel == Channel.SUGGESTION_BOX and case.anonymous
    assert case.territory_id == world.grid_a.pk and case.reporter_name == ""
    assert csp_errors == []
