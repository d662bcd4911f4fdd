"""The main path at phone width in both languages: a party member opens their contact households,
records a contact in two taps, and the household leaves "not contacted"."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civicgrid.partywork import services
from civicgrid.testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEXT = {
    "zh": {"nav": "主导航", "mine": "我的联系户", "lang": "zh-hans", "phone": "电话"},
    "en": {"nav": "Main", "mine": "My contact households", "lang": "en", "phone": "phone call"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_party_member_records_a_contact_and_the_household_leaves_not_contacted(
    live_server, party_live, phone_context, lang
):
    words = TEXT[lang]
    world = party_live
    services.contact_pairing_create(
        actor=world.grid_chief_a, member=world.member_a, households=[world.households[k] for k in ("a", "a2")]
    )
    number = world.households["a"].number
    page = phone_context(lang).new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)

    log_in(page, live_server.url, "member_a", lang=words["lang"])

    page.locator("label.nav-toggle-label").click()
    page.get_by_role("navigation", name=words["nav"]).get_by_role("link", name=words["mine"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(words["mine"])
    row = page.locator(f"#not-contacted li[data-household='{number}']")
    expect(row).to_be_visible()
    expect(page.locator("#not-contacted > li.pairing-row")).to_have_count(2)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Tap one: open the form. Tap two: how the contact was made, which records it.
    row.locator("summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    row.get_by_role("button", name=words["phone"]).click()

    expect(page.locator("#my-households .msg-success")).to_be_visible()
    expect(page.locator(f"#not-contacted li[data-household='{number}']")).to_have_count(0)
    expect(page.locator(f"#contacted li[data-household='{number}']")).to_be_visible()
    expect(page.locator("#week-count")).to_have_text("1 / 2")

    page.reload()
    expect(page.locator(f"#contacted li[data-household='{number}']")).to_be_visible()
    assert csp_errors == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
