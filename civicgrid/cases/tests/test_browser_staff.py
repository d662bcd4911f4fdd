"""The staff loop in a real browser at phone width, in both languages: grid chief, secretary, department."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civicgrid.cases import catalogue, services
from civicgrid.cases.models import Case, Category, State, Tier
from civicgrid.testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LANG_ATTR = {"zh": "zh-hans", "en": "en"}


class Staff:
    """One persona's phone: logs in, and checks every page it sees for CSP errors and sideways scroll."""

    def __init__(self, live_server, phone_context, lang: str, username: str):
        self.url = live_server.url
        self.page = phone_context(lang).new_page()
        self.csp_errors: list[str] = []
        self.wide_pages: list[str] = []
        self.page.on(
            "console",
            lambda m: self.csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
        )
        log_in(self.page, self.url, username, lang=LANG_ATTR[lang])
        self.page.wait_for_load_state()

    def check_width(self) -> None:
        if self.page.evaluate("document.documentElement.scrollWidth") > 375:
            self.wide_pages.append(self.page.url)

    def open_case_from_queue(self, case: Case) -> None:
        self.page.locator("label.nav-toggle-label").click()
        self.page.locator("nav.nav a[href='/cases/']").click()
        row = self.page.locator(f"#queue li[data-code='{case.code}']")
        expect(row).to_be_visible()
        self.check_width()
        row.locator("a.title").click()
        expect(self.page.locator("#summary .code")).to_have_text(case.code)
        self.check_width()

    def act(self, action: str, **fields) -> None:
        box = self.page.locator(f"#action-{action}")
        box.locator("summary").click()
        for name, value in fields.items():
            field = box.locator(f"[name='{action}-{name}']")
            if field.evaluate("el => el.tagName") == "SELECT":
                field.select_option(str(value))
            else:
                field.fill(str(value))
        self.check_width()
        box.locator("button[type=submit]").click()
        expect(self.page.locator(".msg-success")).to_be_visible()
        expect(self.page.locator(f"#timeline li[data-action='{action}']").last).to_be_visible()
        self.check_width()

    def assert_clean(self) -> None:
        assert self.csp_errors == []
        assert self.wide_pages == []


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_grid_chief_escalates_secretary_dispatches_and_the_department_resolves(
    live_server, world, phone_context, lang
):
    catalogue.install(
        Category
    )  # a transactional test starts from tables emptied of the data migration's rows
    case = services.case_submit(
        actor=world.grid_worker_a,
        channel="walk_in",
        category=Category.objects.get(code="sanitation"),
        title=f"楼道积水 ({lang})",
        description="楼道里一直积水，怀疑水管漏了",
        house=world.households["a"].house,
        reporter_name="王五",
        reporter_phone="13912345678",
    )

    chief = Staff(live_server, phone_context, lang, "grid_chief_a")
    chief.open_case_from_queue(case)
    expect(chief.page.locator("#reporter-phone")).to_have_text("139****5678")
    chief.act("respond", note="已到现场查看")
    expect(chief.page.locator("#case-state")).to_have_attribute("data-state", State.HANDLING)
    chief.act("escalate", note="水管在公共管井里，需要社区协调")
    expect(chief.page.locator("#case-tier")).to_have_attribute("data-tier", Tier.COMMUNITY)
    expect(chief.page.locator("#timeline li[data-action='escalate'] .note")).to_have_text(
        "水管在公共管井里，需要社区协调"
    )
    chief.assert_clean()

    secretary = Staff(live_server, phone_context, lang, "secretary")
    secretary.open_case_from_queue(case)
    secretary.act("dispatch", departments=world.department.pk, note="请水务局处理")
    expect(secretary.page.locator("#case-tier")).to_have_attribute("data-tier", Tier.DEPARTMENT)
    expect(secretary.page.locator("#departments")).to_contain_text(world.department.name)
    secretary.assert_clean()

    handler = Staff(live_server, phone_context, lang, "handler")
    handler.open_case_from_queue(case)
    handler.act("resolve", note="更换了漏水的阀门")
    expect(handler.page.locator("#case-state")).to_have_attribute("data-state", State.RESOLVED)
    steps = handler.page.locator("#timeline li").evaluate_all("els => els.map(e => e.dataset.action)")
    assert steps == ["submit", "respond", "escalate", "dispatch", "resolve"]
    expect(handler.page.locator("#timeline li[data-action='resolve'] .note")).to_have_text("更换了漏水的阀门")
    handler.assert_clean()

    case.refresh_from_db()
    assert (case.state, case.settled_tier, case.resolution) == (
        State.RESOLVED,
        Tier.DEPARTMENT,
        "更换了漏水的阀门",
    )
