"""In a real browser at phone width: a grid chief registers a key person and finds them in the due list;
a grid worker's phone shows no key persons anywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from civicgrid.core import clock
from civicgrid.keypersons.models import KeyPerson
from civicgrid.testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANG_ATTR = {"zh": "zh-hans", "en": "en"}


def _phone(live_server, phone_context, lang: str, username: str):
    page = phone_context(lang).new_page()
    csp: list[str] = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, live_server.url, username, lang=LANG_ATTR[lang])
    page.wait_for_load_state()
    return page, csp


def _fits(page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= 375, page.url


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_grid_chief_registers_a_key_person_and_sees_them_due(live_server, people, phone_context, lang):
    resident = people.households["a"].members.order_by("pk").first()
    page, csp = _phone(live_server, phone_context, lang, "grid_chief_a")
    page.locator("label.nav-toggle-label").click()
    page.locator("nav.nav a[href='/keypersons/']").click()
    expect(page.locator("#rows")).to_be_visible()
    page.locator("a[href='/keypersons/register/']").click()
    page.locator("#q").fill(resident.name)  # htmx fetches the matches as the name is typed
    choice = page.locator(f"#resident-{resident.pk}")
    expect(choice).to_be_visible()
    _fits(page)
    choice.check()
    page.select_option("#id_category", label=page.locator("#id_category option").nth(1).inner_text())
    page.locator("label.colour-option.colour-red").click()
    page.fill("#id_reason", "社区康复期间，家属配合监督")
    page.fill("#id_since", (clock.today() - dt.timedelta(days=5)).isoformat())  # red: due in 2 days
    _fits(page)
    page.locator("#register-form button[type=submit].primary").click()
    expect(page.locator(".msg-success")).to_be_visible()
    kp = KeyPerson.objects.get(resident=resident)
    expect(page.locator("#kp-name")).to_have_text(resident.name)
    expect(page.locator("#kp-colour .colour")).to_have_attribute("data-colour", "red")
    expect(page.locator("#kp-id-number")).to_have_text(str(resident.id_number))
    _fits(page)

    page.goto(f"{live_server.url}/keypersons/?due=due")
    row = page.locator(f"#rows li[data-key-person='{kp.pk}']")
    expect(row).to_be_visible()
    expect(row.locator(".due.badge")).to_be_visible()
    expect(page.locator("#count-red")).to_have_text("1")
    _fits(page)
    assert csp == []


def test_a_grid_worker_sees_no_key_persons(live_server, people, phone_context):
    from civicgrid.keypersons.tests.conftest import register

    register(people)
    page, csp = _phone(live_server, phone_context, "zh", "grid_worker_a")
    page.locator("label.nav-toggle-label").click()
    expect(page.locator("nav.nav")).to_be_visible()
    expect(page.locator("nav.nav a[href='/keypersons/']")).to_have_count(0)
    response = page.goto(f"{live_server.url}/keypersons/")
    assert response.status == 403
    expect(page.locator("#rows")).to_have_count(0)
    assert csp == []
