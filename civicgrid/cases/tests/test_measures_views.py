"""The overview page, its widget and the ledger: access, filters, exports, and a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.cases import services
from civicgrid.cases.tests.test_measures import SOME_MONTH, at, submit
from civicgrid.core import clock

pytestmark = pytest.mark.django_db
URL = "/cases/measures/"


def month_query(node) -> str:
    end = SOME_MONTH + dt.timedelta(days=27)
    return f"{URL}?node={node.pk}&period=custom&start={SOME_MONTH:%Y-%m-%d}&end={end:%Y-%m-%d}"


def test_the_secretary_sees_the_rates_of_the_community_and_its_grids(world, client_for):
    with clock.frozen(at(SOME_MONTH)):
        case = submit(world, "a")
        services.case_resolve(actor=world.grid_chief_a, case=case, note="已处理", on_the_spot=True)
        submit(world, "b")
    page = client_for(world.secretary).get(month_query(world.c1), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Three rates" in html and "幸福社区" in html
    by_place = page.context["by_place"]
    assert [r.label for r in by_place] == ["第一网格", "第二网格", "第十网格"]
    assert [r.received for r in by_place] == [1, 1, 0]
    assert page.context["total"].resolution_rate == 0.5
    assert "50.0%" in html and 'class="w-50"' in html
    assert 'style="' not in html


def test_a_grid_chief_gets_their_grid_and_a_404_for_the_community(world, client_for):
    with clock.frozen(at(SOME_MONTH)):
        submit(world, "a")
        submit(world, "b")
    chief = client_for(world.grid_chief_a)
    page = chief.get(f"{URL}?period=custom&start={SOME_MONTH:%Y-%m-%d}&end={SOME_MONTH:%Y-%m-%d}")
    assert page.status_code == 200 and page.context["node"] == world.grid_a
    assert page.context["total"].received == 1
    assert chief.get(month_query(world.c1)).status_code == 404
    assert chief.get(month_query(world.grid_b)).status_code == 404


def test_an_outsider_finds_nothing(world, client_for):
    outsider = client_for(world.outsider)
    assert outsider.get(URL).status_code == 404
    assert outsider.get(month_query(world.town)).status_code == 404
    assert outsider.get(f"{URL}widget/").status_code == 403
    assert outsider.get(f"{URL}ledger/").status_code == 403
    assert outsider.get(f"{URL}ledger.xlsx").status_code == 403


def test_a_department_handler_sees_only_their_departments_cases(world, client_for):
    with clock.frozen(at(SOME_MONTH)):
        ours = submit(world, category="water")
        submit(world, category="water")
        services.case_dispatch(actor=world.secretary, case=ours, departments=[world.department])
    page = client_for(world.handler).get(month_query(world.county))
    assert page.status_code == 200
    assert page.context["total"].received == 1
    assert [r.label for r in page.context["by_department"]] == ["县水务局"]


def test_bad_dates_are_answered_with_a_message_and_this_month(world, client_for):
    page = client_for(world.secretary).get(
        f"{URL}?period=custom&start=2026-03-09&end=2026-03-01", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert page.status_code == 200
    assert "The last day comes before the first." in page.content.decode()
    assert page.context["period"].kind == "this_month"


def overview_queries(client, node) -> int:
    client.get(month_query(node))  # the first page of a session also saves the session: not counted
    with CaptureQueriesContext(connection) as queries:
        assert client.get(month_query(node)).status_code == 200
    return len(queries)


def test_the_overview_costs_the_same_queries_for_10_and_200_cases(world, client_for):
    secretary = client_for(world.secretary)
    with clock.frozen(at(SOME_MONTH)):
        for i in range(10):
            case = submit(world, "abc"[i % 3], category=["sanitation", "water", "roads"][i % 3])
        services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
        services.case_resolve(actor=world.town_officer, case=case, note="已处理")
    few = overview_queries(secretary, world.c1)
    with clock.frozen(at(SOME_MONTH, 11)):
        for i in range(190):
            case = submit(world, "abc"[i % 3], category=["sanitation", "water", "heating", "praise"][i % 4])
            if i % 7 == 0:
                services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
            if i % 5 == 0:
                services.case_resolve(actor=world.town_officer, case=case, note="已处理")
    many = overview_queries(secretary, world.c1)
    assert many == few


def test_the_widget_shows_this_months_rates(world, client_for):
    with clock.frozen(at(SOME_MONTH)):
        submit(world)
        page = client_for(world.secretary).get(f"{URL}widget/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Response rate" in page.content.decode()
    assert page.context["total"].received == 1


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_secretary_reads_the_three_rates_on_a_phone(live_server, world, phone_context, lang, tmp_path):
    from playwright.sync_api import expect

    from civicgrid.cases import catalogue
    from civicgrid.cases.models import Category
    from civicgrid.testing import log_in

    catalogue.install(Category)  # a transactional test empties the tables the data migration filled
    for household, category in (("a", "sanitation"), ("b", "water"), ("c", "heating"), ("a", "praise")):
        case = submit(world, household, category=category)
        if household == "a":
            services.case_resolve(actor=world.town_officer, case=case, note="已处理", on_the_spot=True)
    page = phone_context(lang).new_page()
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    log_in(page, live_server.url, "secretary")
    page.goto(f"{live_server.url}{URL}")

    expect(page.get_by_role("heading", level=1)).to_contain_text("幸福社区")
    expect(page.locator(".rate-card .stat").nth(1)).to_have_text("50.0%")
    expect(page.locator("table.measures").first.locator("tbody tr")).to_have_count(3)
    # Drill down to a grid, keeping the period.
    page.locator("table.measures").first.get_by_role("link", name="第一网格").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("第一网格")
    expect(page.locator(".rate-card .stat").nth(1)).to_have_text("100.0%")
    page.screenshot(path=str(tmp_path / f"measures-{lang}.png"), full_page=True)

    assert csp_errors == []
    # Wide tables scroll inside their frame; the page itself does not scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
