"""The visits API: due list, logging with an idempotency key, visits, coverage, the error shape."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.cases import catalogue
from civicgrid.cases.models import Case, Category
from civicgrid.core import clock
from civicgrid.testing import make_household
from civicgrid.visits import dues
from civicgrid.visits.models import Visit, VisitDue
from civicgrid.visits.tests.helpers import visit

pytestmark = pytest.mark.django_db


def test_my_due_list_pages_with_a_cursor(world, rules, client_for):
    for _ in range(4):
        make_household(actor=world.secretary, unit=world.unit_a1, members=1)
    dues.sweep()
    client = client_for(world.grid_worker_a)
    first = client.get("/api/v1/visits/due", {"limit": 3}).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    second = client.get("/api/v1/visits/due", {"limit": 3, "after": first["next_cursor"]}).json()
    ids = [d["id"] for d in first["items"] + second["items"]]
    assert len(ids) == len(set(ids)) == 5
    assert first["items"][0]["overdue"] is True and "phone" not in str(first["items"][0])


def test_the_due_list_api_costs_a_few_queries(world, rules, client_for, django_assert_max_num_queries):
    for _ in range(20):
        make_household(actor=world.secretary, unit=world.unit_a1, members=1)
    dues.sweep()
    client = client_for(world.grid_worker_a)
    client.get("/api/v1/visits/due", {"limit": 1})  # the session's first read
    with django_assert_max_num_queries(6):
        assert len(client.get("/api/v1/visits/due").json()["items"]) == 21


def test_logging_a_visit_with_a_case_meets_the_due_row_and_a_retry_answers_200(world, rules, client_for):
    catalogue.install(Category)
    dues.sweep()
    household = world.households["a"]
    body = {
        "household_id": household.pk,
        "kind": "comprehensive",
        "findings": "路灯不亮",
        "flags": ["safety_hazard"],
        "case": {"category": "power", "description": "楼前路灯不亮"},
        "need": "夜间照明",
    }
    client = client_for(world.grid_worker_a)
    made = client.post(
        "/api/v1/visits", body, content_type="application/json", headers={"Idempotency-Key": "api-1"}
    )
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["case_code"] and len(data["met_due_ids"]) == 1 and len(data["need_ids"]) == 1
    again = client.post(
        "/api/v1/visits", body, content_type="application/json", headers={"Idempotency-Key": "api-1"}
    )
    assert again.status_code == 200 and again.json()["id"] == data["id"]
    assert Visit.objects.count() == 1 and Case.objects.count() == 1
    assert VisitDue.objects.get(pk=data["met_due_ids"][0]).met_by_id == data["id"]


def test_errors_come_in_the_one_shape_naming_the_field(world, client_for):
    client = client_for(world.grid_worker_a)
    outside = client.post(
        "/api/v1/visits",
        {"household_id": world.households["b"].pk, "kind": "dynamic", "findings": "x"},
        content_type="application/json",
    )
    assert outside.status_code == 400 and outside.json()["field"] == "household_id"
    empty = client.post(
        "/api/v1/visits",
        {"household_id": world.households["a"].pk, "kind": "dynamic"},
        content_type="application/json",
    )
    assert empty.status_code == 400 and empty.json()["field"] == "findings"
    bad_kind = client.post(
        "/api/v1/visits",
        {"household_id": world.households["a"].pk, "kind": "chat"},
        content_type="application/json",
    )
    assert bad_kind.status_code == 422
    assert client_for(world.handler).get("/api/v1/visits/due").status_code == 403


def test_listing_visits_filters_by_household_and_stops_at_my_area(world, client_for):
    mine = visit(world.grid_worker_a, world.households["a"])
    visit(world.grid_chief_b, world.households["b"])
    client = client_for(world.grid_chief_a)
    items = client.get("/api/v1/visits").json()["items"]
    assert [v["id"] for v in items] == [mine.pk]
    assert client.get("/api/v1/visits", {"household": world.households["b"].pk}).status_code == 404


def test_coverage_api_drills_down_from_the_town(world, rules, client_for, django_assert_max_num_queries):
    visit(world.grid_worker_a, world.households["a"])
    client = client_for(world.town_officer)
    client.get("/api/v1/visits/coverage/not-visited")  # the session's first read
    with django_assert_max_num_queries(10):
        town = client.get("/api/v1/visits/coverage").json()
    assert town["total"]["total"] == 4 and town["total"]["visited"] == 1
    c1 = next(p for p in town["places"] if p["territory_id"] == world.c1.pk)
    assert (c1["visited"], c1["total"], c1["share"]) == (1, 3, 33)
    community = client.get("/api/v1/visits/coverage", {"territory": world.c1.pk}).json()
    grid_a = next(p for p in community["places"] if p["territory_id"] == world.grid_a.pk)
    assert (grid_a["visited"], grid_a["total"]) == (1, 1)
    never = client.get("/api/v1/visits/coverage/not-visited", {"territory": world.c1.pk}).json()
    assert {h["id"] for h in never["items"]} == {world.households["b"].pk, world.households["c"].pk}


def test_the_visit_log_runs_by_visit_date_newest_first_across_pages(world, client_for):
    today = clock.today()
    # Logged in this order, visited in another: a visit is often written up days later.
    days = [5, 1, 9, 3, 1]
    house = world.households["a"]
    made = [visit(world.grid_worker_a, house, visited_on=today - dt.timedelta(days=d)) for d in days]
    client = client_for(world.grid_chief_a)
    first = client.get("/api/v1/visits", {"limit": 2}).json()
    rest = client.get("/api/v1/visits", {"limit": 10, "after": first["next_cursor"]}).json()
    listed = [v["id"] for v in first["items"] + rest["items"]]
    expected = sorted(made, key=lambda v: (v.visited_on, v.pk), reverse=True)
    assert listed == [v.pk for v in expected]
