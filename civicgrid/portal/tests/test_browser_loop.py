"""The whole loop in a real browser, at phone width, in both languages: a resident reports from the
door plate, the grid chief escalates, the community dispatches, the department resolves, the resident
rates — and the town's three rates change accordingly.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civicgrid.cases import catalogue
from civicgrid.cases.models import Case, Category, State
from civicgrid.cases.tests.test_browser_staff import Staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _three_rates(page, url: str) -> list[str]:
    page.goto(url)
    return [t.strip() for t in page.locator(".rate-cards .rate-card .stat").all_inner_texts()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_report_escalate_dispatch_resolve_rate_and_the_three_rates_change(
    live_server, world, phone_context, lang
):
    catalogue.install(Category)  # transactional tests start from emptied tables
    measures_url = f"{live_server.url}/cases/measures/?node={world.town.pk}&period=this_month"
    officer = Staff(live_server, phone_context, lang, "town_officer")
    before = _three_rates(officer.page, measures_url)
    assert "100.0%" not in before  # no case yet: no rates, or none at 100 %

    # The resident, from the QR door plate of household a's house.
    house = world.households["a"].house
    resident = phone_context(lang).new_page()
    resident.goto(f"{live_server.url}/p/{house.house_code}/report/")
    sanitation = Category.objects.get(code="sanitation")  # starts at the grid tier
    resident.select_option("select[name=category]", value=str(sanitation.pk))
    resident.fill("textarea[name=description]", f"楼道污水外溢 ({lang})")
    resident.locator("form.report-form button[type=submit]").click()
    code = resident.locator("#tracking-code").inner_text().strip()
    case = Case.objects.get(code=code)

    chief = Staff(live_server, phone_context, lang, "grid_chief_a")
    chief.open_case_from_queue(case)
    chief.act("respond", note="已联系住户了解情况")
    chief.act("escalate", note="污水管堵塞，需要社区协调")
    chief.assert_clean()

    secretary = Staff(live_server, phone_context, lang, "secretary")
    secretary.open_case_from_queue(case)
    secretary.act("dispatch", departments=world.department.pk, note="请水务部门疏通")
    secretary.assert_clean()

    handler = Staff(live_server, phone_context, lang, "handler")
    handler.open_case_from_queue(case)
    handler.act("resolve", note="已疏通污水管")
    handler.assert_clean()

    resident.goto(f"{live_server.url}/p/track/{code}/")
    expect(resident.get_by_text("已疏通污水管")).to_be_visible()
    resident.locator("input[name=rating][value=satisfied]").check()
    resident.locator("#rate button[type=submit]").click()
    expect(resident.locator("#case-state")).to_have_class("state state-closed")
    assert resident.evaluate("document.documentElement.scrollWidth") <= 375

    case.refresh_from_db()
    assert (case.state, case.rating, case.dispatched) == (State.CLOSED, "satisfied", True)
    after = _three_rates(officer.page, measures_url)
    assert after == ["100.0%", "100.0%", "100.0%"]
    assert after != before
