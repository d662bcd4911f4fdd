"""The main path in a real browser, at phone width, in both languages: log in, find a household, edit it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from civicgrid.cases import catalogue
from civicgrid.cases.models import Category
from civicgrid.testing import log_in, submit_case

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh": {"households": "住户", "nav": "主导航", "saved": "已保存", "lang": "zh-hans"},
    "en": {"households": "Households", "nav": "Main", "saved": "Saved", "lang": "en"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_secretary_finds_and_edits_a_household_on_a_phone(live_server, world, phone_context, lang):
    words = TEXT[lang]
    head = world.households["b"].head
    page = phone_context(lang).new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    log_in(page, live_server.url, "secretary", lang=words["lang"])

    # The menu is folded at 375 px: open it, then go to the households.
    page.locator("label.nav-toggle-label").click()
    page.get_by_role("navigation", name=words["nav"]).get_by_role(
        "link", name=words["households"], exact=True
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["households"])

    page.fill("input[name=q]", head.name)
    page.locator("form.filters button[type=submit]").click()
    results = page.locator("#rows > li a.title")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(head.name)
    results.first.click()

    # The ID number is masked on the page.
    expect(page.locator(f"#id_number-{head.pk}")).to_have_text(re.compile(r"^\d{3}\*{11}[\dX]{4}$"))

    page.locator("a.button[href$='/edit/']").first.click()
    page.fill("textarea[name=notes]", f"visited ({lang})")
    page.locator("form button[type=submit].primary").click()
    expect(page.locator(".msg-success")).to_contain_text(words["saved"])
    expect(page.get_by_text(f"visited ({lang})")).to_be_visible()

    # Nothing on the way needed an inline script or style.
    assert csp_errors == []
    # No horizontal scrolling at phone width.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    world.households["b"].refresh_from_db()
    assert world.households["b"].notes == f"visited ({lang})"


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_an_officers_menu_fits_on_one_line_of_a_desktop_screen(live_server, world, browser, lang):
    ctx, page = _officer_on_a_desktop(live_server, browser, lang)
    tops = page.evaluate("[...document.querySelectorAll('.nav > *')].map(e => e.getBoundingClientRect().top)")
    ctx.close()
    assert len(tops) >= 10  # an officer's menu is the longest: the test is about that one
    assert len(set(tops)) == 1, tops


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_registers_place_filter_shows_its_choice_whole(live_server, world, browser, lang):
    ctx, page = _officer_on_a_desktop(live_server, browser, lang)
    catalogue.install(Category)  # a transactional test starts without the data migration's rows
    submit_case(world, actor=world.town_officer, description="垃圾桶满了")
    page.goto(f"{live_server.url}/cases/list/")
    where = page.locator("select#territory")
    expect(where).to_be_visible()
    # The chosen option's text, in the select's own font, against the room the select gives it.
    text, room = where.evaluate(
        """s => {
          const style = getComputedStyle(s), ctx = document.createElement('canvas').getContext('2d');
          ctx.font = `${style.fontSize} ${style.fontFamily}`;
          const pad = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
          return [ctx.measureText(s.options[s.selectedIndex].text).width, s.clientWidth - pad - 16];
        }"""
    )
    # A state alone on a badge starts with a capital ("Received"), whatever its word mid-sentence.
    transform = page.locator(".case-row .badge").first.evaluate(
        "b => getComputedStyle(b, '::first-letter').textTransform"
    )
    ctx.close()
    assert text <= room, (text, room)
    assert transform == "uppercase"


def _officer_on_a_desktop(live_server, browser, lang: str):
    ctx = browser.new_context(
        viewport={"width": 1280, "height": 800},
        extra_http_headers={"Accept-Language": "zh-CN,zh" if lang == "zh" else "en-US,en"},
    )
    page = ctx.new_page()
    log_in(page, live_server.url, "town_officer")
    expect(page.get_by_role("navigation", name=TEXT[lang]["nav"])).to_be_visible()
    return ctx, page


def test_a_refused_reveal_says_why_in_place(live_server, world, phone_context):
    # The server answers a refused reveal 400 with its reason; htmx swaps no 4xx unless told to.
    household = world.households["b"]
    page = phone_context("en").new_page()
    log_in(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}/registry/households/{household.pk}/")
    reveal = page.locator("details.inline-form", has=page.locator("form.reveal")).first
    reveal.locator("summary").click()
    reveal.locator("input[name=reason]").fill("    ")  # four spaces pass minlength, not the server
    reveal.locator("form.reveal button[type=submit]").click()
    expect(reveal.locator(".reveal-out [role=alert]")).to_be_visible()
    reveal.locator("input[name=reason]").fill("checking the record for a visit")
    reveal.locator("form.reveal button[type=submit]").click()
    expect(reveal.locator(".reveal-out .mono")).to_have_text(re.compile(r"^\d{17}[\dX]$"))
    # A server error, or no network, is said once above the page, not met with silence.
    page.route("**/reveal/", lambda route: route.fulfill(status=500, body="Server Error"))
    expect(page.locator("#htmx-failed")).to_be_hidden()
    reveal.locator("form.reveal button[type=submit]").click()
    expect(page.locator("#htmx-failed")).to_be_visible()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_audit_log_reads_a_record_a_block_on_a_phone_and_a_table_on_a_desk(
    live_server, world, browser, phone_context, lang
):
    """Five columns in 375 px squeezed a case's title and its change to a few characters a line."""
    catalogue.install(Category)
    submit_case(world, actor=world.town_officer, description="楼道灯坏了很久没人修，晚上上下楼看不清台阶")
    page = phone_context(lang).new_page()
    log_in(page, live_server.url, "town_officer")
    page.goto(f"{live_server.url}/audit/")
    first = page.locator("#audit-rows > tr").first
    expect(first).to_contain_text("case.submit")
    assert page.locator("table.data thead").evaluate("t => getComputedStyle(t).display") == "none"
    assert first.evaluate("r => r.getBoundingClientRect().height") < 200
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    ctx, desk = _officer_on_a_desktop(live_server, browser, lang)
    desk.goto(f"{live_server.url}/audit/")
    shown = desk.locator("table.data thead").evaluate("t => getComputedStyle(t).display")
    ctx.close()
    assert shown == "table-header-group"
