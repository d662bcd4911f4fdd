"""The visit pages: what a worker and a leader see and do, in both languages, with few queries."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from civicgrid.cases import catalogue
from civicgrid.cases.models import Case, Category
from civicgrid.registry.models import Tag
from civicgrid.testing import make_household
from civicgrid.visits import dues
from civicgrid.visits.models import Need, Visit, VisitDue, VisitRule
from civicgrid.visits.tests.helpers import visit

pytestmark = pytest.mark.django_db


def zh(client):
    client.cookies["django_language"] = "zh-hans"
    return client


def en(client):
    client.cookies["django_language"] = "en"
    return client


def test_a_grid_worker_sees_their_grids_due_rows_overdue_first(world, rules, client_for):
    dues.sweep()
    page = en(client_for(world.grid_worker_a)).get(reverse("visits:due_list"))
    assert page.status_code == 200
    body = page.content.decode()
    a = world.households["a"]
    assert f'data-household="{a.pk}"' in body
    assert f'data-household="{world.households["b"].pk}"' not in body  # grid B is not theirs
    assert "overdue by 60 days" in body


def test_the_due_list_filters_by_kind(world, rules, client_for):
    dues.sweep()
    client = client_for(world.grid_worker_a)
    assert (
        'data-household="'
        in client.get(reverse("visits:due_list"), {"kind": "comprehensive"}).content.decode()
    )
    assert (
        'data-household="' not in client.get(reverse("visits:due_list"), {"kind": "return"}).content.decode()
    )


def test_the_due_list_costs_the_same_few_queries_for_many_households(
    world, rules, client_for, django_assert_max_num_queries
):
    for _ in range(30):
        make_household(actor=world.secretary, unit=world.unit_a1, members=1)
    dues.sweep()
    client = client_for(world.grid_worker_a)
    client.get(reverse("visits:due_list"))  # session and language warm-up
    with django_assert_max_num_queries(12):
        page = client.get(reverse("visits:due_list"))
    assert page.content.decode().count('class="case-row due-row') == 25


def test_logging_from_a_due_row_meets_it_and_raises_a_case(world, rules, client_for):
    catalogue.install(Category)
    dues.sweep()
    household = world.households["a"]
    due = VisitDue.objects.get(household=household, kind="comprehensive")
    client = zh(client_for(world.grid_worker_a))
    form = client.get(reverse("visits:visit_new"), {"household": household.pk, "due": due.pk})
    assert form.status_code == 200
    assert re.search(r'value="comprehensive"[^>]*checked', form.content.decode())
    answer = client.post(
        f"{reverse('visits:visit_new')}?household={household.pk}",
        {
            "household": household.pk,
            "next": reverse("visits:due_list"),
            "idempotency_key": "web-1",
            "kind": "comprehensive",
            "visited_on": "2026-03-02",
            "flags": ["safety_hazard"],
            "findings": "楼道堆放杂物",
            "raise_case": "on",
            "case_category": "sanitation",
            "case_description": "楼道堆放杂物，存在消防隐患",
        },
    )
    assert answer.status_code == 302 and answer["Location"] == reverse("visits:due_list")
    due.refresh_from_db()
    assert due.met_by is not None and due.met_by.case.channel == "visit"
    after = client.get(reverse("visits:due_list")).content.decode()
    assert f'data-due="{due.pk}"' not in after
    assert Case.objects.get().house == household.house


def test_a_bad_form_keeps_what_was_typed_and_says_what_is_wrong(world, client_for):
    household = world.households["a"]
    client = en(client_for(world.grid_worker_a))
    answer = client.post(
        f"{reverse('visits:visit_new')}?household={household.pk}",
        {
            "household": household.pk,
            "idempotency_key": "web-2",
            "kind": "comprehensive",
            "visited_on": "2026-03-02",
            "findings": "老人腿脚不便",
            "raise_case": "on",
            "case_description": "",
        },
    )
    assert answer.status_code == 400
    body = answer.content.decode()
    assert "老人腿脚不便" in body
    assert "Choose a category for the case." in body and "Describe the matter for the case." in body
    assert not Visit.objects.exists()


def test_the_phone_outbox_gets_json_and_a_resend_keeps_one_visit(world, client_for):
    household = world.households["a"]
    client = client_for(world.grid_worker_a)
    data = {
        "household": household.pk,
        "idempotency_key": "phone-1",
        "kind": "dynamic",
        "visited_on": "2026-03-01",
        "findings": "一切正常",
    }
    url = f"{reverse('visits:visit_new')}?household={household.pk}"
    first = client.post(url, data, headers={"X-Visit-Client": "outbox"})
    again = client.post(url, data, headers={"X-Visit-Client": "outbox"})
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"] and again.json()["replayed"] is True
    assert Visit.objects.count() == 1
    refused = client.post(
        url, {**data, "idempotency_key": "phone-2", "kind": ""}, headers={"X-Visit-Client": "outbox"}
    )
    assert refused.status_code == 400 and "kind" in refused.json()["errors"]


def test_finding_a_household_to_visit_by_address_or_house_code(world, client_for):
    household = world.households["a"]
    client = client_for(world.grid_worker_a)
    found = client.get(
        reverse("visits:household_search"), {"q": household.house.house_code}, headers={"HX-Request": "true"}
    )
    assert f'data-household="{household.pk}"' in found.content.decode()
    other = client.get(reverse("visits:household_search"), {"q": world.households["b"].house.house_code})
    assert f'data-household="{world.households["b"].pk}"' not in other.content.decode()


def test_a_visit_page_and_the_households_history(world, client_for, settings, tmp_path):
    logged = visit(world.grid_worker_a, world.households["a"], findings="屋顶漏雨", need="修缮屋顶")
    client = zh(client_for(world.grid_chief_a))
    detail = client.get(reverse("visits:visit_detail", args=[logged.pk])).content.decode()
    assert "屋顶漏雨" in detail and "修缮屋顶" in detail and "全覆盖走访" in detail
    history = client.get(
        reverse("visits:household_history", args=[world.households["a"].pk])
    ).content.decode()
    assert f'data-visit="{logged.pk}"' in history


def test_needs_are_listed_and_marked_met(world, client_for):
    visit(world.grid_worker_a, world.households["a"], need="需要助餐")
    need = Need.objects.get()
    client = en(client_for(world.grid_worker_a))
    listed = client.get(reverse("visits:need_list")).content.decode()
    assert f'data-need="{need.pk}"' in listed
    client.post(reverse("visits:need_meet", args=[need.pk]), {"note": "社区食堂送餐"})
    need.refresh_from_db()
    assert need.status == "met"
    assert f'data-need="{need.pk}"' not in client.get(reverse("visits:need_list")).content.decode()


def test_a_secretary_adds_a_rule_and_changes_it_on_the_rules_page(world, client_for):
    client = en(client_for(world.secretary))
    page = client.get(reverse("visits:rule_list"))
    assert page.status_code == 200 and "Add a rule" in page.content.decode()
    tag = Tag.objects.get(code="left_behind_child")
    made = client.post(
        reverse("visits:rule_create"),
        {
            "territory": world.grid_a.pk,
            "target": "tag",
            "tag": tag.code,
            "interval_days": 14,
            "starts_on": "2026-03-01",
            "active": "on",
        },
    )
    assert made.status_code == 302
    rule = VisitRule.objects.get(tag=tag)
    assert (rule.territory, rule.kind, rule.interval_days) == (world.grid_a, "dynamic", 14)
    changed = client.post(
        reverse("visits:rule_edit", args=[rule.pk]),
        {f"rule{rule.pk}-interval_days": 7, f"rule{rule.pk}-starts_on": "2026-03-01"},
    )
    assert changed.status_code == 302
    rule.refresh_from_db()
    assert (rule.interval_days, rule.active) == (7, False)


def test_a_rule_with_a_bad_interval_is_shown_again_with_the_message(world, client_for):
    client = en(client_for(world.secretary))
    answer = client.post(
        reverse("visits:rule_create"),
        {"territory": world.c1.pk, "target": "all_households", "interval_days": 0, "starts_on": "2026-03-01"},
    )
    assert answer.status_code == 400
    assert "Ensure this value is greater than or equal to 1." in answer.content.decode()


def test_coverage_for_a_community_by_grid_and_worker(world, rules, client_for):
    visit(world.grid_worker_a, world.households["a"])
    visit(world.grid_chief_b, world.households["b"], kind="dynamic")  # not the comprehensive round
    client = en(client_for(world.secretary))
    page = client.get(reverse("visits:coverage"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "1 of 3 households visited in this round." in body
    assert world.grid_a.name in body and "grid_worker_a" in body
    assert f'data-household="{world.households["a"].pk}"' not in body  # visited, so not listed
    assert f'data-household="{world.households["c"].pk}"' in body


def test_coverage_and_the_households_not_visited_cost_a_handful_of_queries(
    world, rules, client_for, django_assert_max_num_queries
):
    for i in range(40):
        household = make_household(
            actor=world.secretary, unit=world.unit_b1 if i % 2 else world.unit_a1, members=1
        )
        if i % 3 == 0:
            visit(world.secretary, household)
    client = client_for(world.town_officer)
    client.get(reverse("visits:coverage"))
    with django_assert_max_num_queries(14):
        client.get(reverse("visits:coverage"), {"territory": world.c1.pk})
    with django_assert_max_num_queries(8):
        client.get(reverse("visits:not_visited_rows"), {"territory": world.c1.pk, "which": "round"})


def test_the_today_section_lists_my_first_due_rows(world, rules, client_for):
    dues.sweep()
    body = en(client_for(world.grid_worker_a)).get(reverse("today")).content.decode()
    assert 'id="today-visits"' in body and world.households["a"].house.address in body


def test_the_household_page_links_to_its_visits_and_to_logging_one(world, client_for):
    household = world.households["a"]
    page = client_for(world.grid_worker_a).get(reverse("registry:household_detail", args=[household.pk]))
    assert reverse("visits:household_history", args=[household.pk]) in page.text
    assert f"{reverse('visits:visit_new')}?household={household.pk}" in page.text
    # The clerk sees households but logs no visits: no link to a form that would refuse them.
    clerk_page = client_for(world.clerk).get(reverse("registry:household_detail", args=[household.pk]))
    assert f"{reverse('visits:visit_new')}?household=" not in clerk_page.text
