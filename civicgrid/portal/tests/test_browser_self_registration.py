"""In a real browser at phone width: a resident opens the door plate, registers their household and
gets a tracking code; the grid chief approves it from the review queue; the resident's tracking page
then says it was approved. Both languages, no CSP error, no sideways scroll.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from civicgrid.cases.tests.test_browser_staff import Staff
from civicgrid.registry.models import Resident, ReviewStatus, SelfRegistration
from civicgrid.testing import id_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

APPROVED = {"zh": "已通过", "en": "Approved: you are registered"}


def _narrow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= 375


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_resident_registers_from_the_plate_and_the_grid_chief_approves(
    live_server, world, phone_context, lang
):
    from civicgrid.registry import services

    house = services.house_create(actor=world.secretary, unit=world.unit_a1, address="幸福路66号")
    resident = phone_context(lang).new_page()
    csp: list[str] = []
    resident.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    resident.goto(f"{live_server.url}/p/{house.house_code}/")
    resident.locator(f"a[href='/p/{house.house_code}/register/']").click()

    # A wrong check digit is named on its field; what was typed stays.
    resident.fill("input[name=name]", "陈归乡")
    resident.fill("input[name=id_number]", "110105194912310021")
    resident.fill("input[name=phone]", "13900002222")
    resident.locator("#add-member").click()
    resident.fill("input[name='members-0-name']", "陈小妹")
    resident.fill("input[name='members-0-id_number']", id_number(dt.date(2016, 4, 4), male=False))
    resident.locator("form.register-form button[name=send]").click()
    expect(resident.locator(".has-error input[name=id_number]")).to_be_visible()
    expect(resident.locator("input[name='members-0-name']")).to_have_value("陈小妹")
    assert _narrow(resident)
    resident.fill("input[name=id_number]", id_number(dt.date(1988, 8, 8)))
    resident.locator("form.register-form button[name=send]").click()
    code = resident.locator("#tracking-code").inner_text().strip()
    registration = SelfRegistration.objects.get(code=code)
    assert registration.people.count() == 2 and _narrow(resident)

    chief = Staff(live_server, phone_context, lang, "grid_chief_a")
    chief.page.locator("label.nav-toggle-label").click()
    chief.page.locator("nav.nav a[href='/registry/review/']").click()
    chief.check_width()
    chief.page.locator(f"a[href='/registry/review/registrations/{registration.pk}/']").click()
    expect(chief.page.locator("#people li")).to_have_count(2)
    chief.check_width()
    chief.page.locator(
        f"form[action='/registry/review/registrations/{registration.pk}/approve/'] button"
    ).click()
    expect(chief.page.locator(".msg-success")).to_be_visible()
    chief.check_width()
    assert chief.csp_errors == [] and chief.wide_pages == []

    registration.refresh_from_db()
    assert registration.status == ReviewStatus.APPROVED
    assert Resident.objects.get(name="陈归乡").household.house == house

    resident.goto(f"{live_server.url}/p/track/")
    resident.fill("input[name=code]", code.lower())
    resident.locator("form.track-form button[type=submit]").click()
    expect(resident.locator("#registration-state")).to_contain_text(APPROVED[lang])
    assert _narrow(resident) and csp == []
