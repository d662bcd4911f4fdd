"""Who sees what: 404 outside, 403 inside without the permission, sibling grids, key-person visits."""

from __future__ import annotations

import pytest
from django.urls import reverse

from civicgrid.visits import dues
from civicgrid.visits.models import VisitKind
from civicgrid.visits.tests.helpers import visit

pytestmark = pytest.mark.django_db


def test_a_household_in_a_sibling_grid_does_not_exist_for_a_grid_chief(world, client_for):
    client = client_for(world.grid_chief_a)
    for key in ("b", "c"):  # grid B next door, and grid C whose code shares grid A's prefix
        url = f"{reverse('visits:visit_new')}?household={world.households[key].pk}"
        assert client.get(url).status_code == 404


def test_a_visit_outside_my_area_does_not_exist_and_inside_without_the_permission_is_forbidden(
    world, client_for
):
    logged = visit(world.grid_chief_b, world.households["b"])
    url = reverse("visits:visit_detail", args=[logged.pk])
    assert client_for(world.grid_chief_a).get(url).status_code == 404
    assert client_for(world.handler).get(url).status_code == 403  # the county, but a department's role
    assert client_for(world.secretary).get(url).status_code == 200


def test_a_department_handler_may_not_log_visits_and_an_outsider_sees_no_due_list(world, client_for):
    url = f"{reverse('visits:visit_new')}?household={world.households['a'].pk}"
    assert client_for(world.handler).get(url).status_code == 403
    assert client_for(world.outsider).get(reverse("visits:due_list")).status_code == 403


def test_the_due_list_of_a_grid_chief_leaves_out_the_sibling_grid(world, rules, client_for):
    dues.sweep()
    body = client_for(world.grid_chief_a).get(reverse("visits:due_list")).content.decode()
    assert f'data-household="{world.households["a"].pk}"' in body
    for key in ("b", "c", "x"):
        assert f'data-household="{world.households[key].pk}"' not in body


def test_only_leaders_manage_rules(world, client_for):
    data = {
        "territory": world.grid_a.pk,
        "target": "all_households",
        "interval_days": 30,
        "starts_on": "2026-03-01",
    }
    assert client_for(world.grid_chief_a).post(reverse("visits:rule_create"), data).status_code == 403
    assert client_for(world.secretary).post(reverse("visits:rule_create"), data).status_code == 302


def test_a_rule_of_another_community_does_not_exist_for_a_secretary(world, client_for):
    from civicgrid.visits import services

    rule = services.rule_create(
        actor=world.town_officer, territory=world.c2, target="all_households", interval_days=365
    )
    url = reverse("visits:rule_edit", args=[rule.pk])
    data = {f"rule{rule.pk}-interval_days": 30, f"rule{rule.pk}-starts_on": "2026-03-01"}
    assert client_for(world.secretary).post(url, data).status_code == 404


def test_coverage_is_for_leaders_and_grid_chiefs_and_stops_at_their_area(world, rules, client_for):
    url = reverse("visits:coverage")
    assert client_for(world.grid_worker_a).get(url).status_code == 403
    chief = client_for(world.grid_chief_a)
    assert chief.get(url).status_code == 200
    assert chief.get(url, {"territory": world.grid_b.pk}).status_code == 404
    assert chief.get(url, {"territory": world.c1.pk}).status_code == 404


# --- Key-person visits: visible only where the user holds keypersons.view


@pytest.fixture
def key_visit(world, key_worker):
    household = world.households["a"]
    return visit(
        key_worker, household, kind=VisitKind.KEY_PERSON, resident=household.head, findings="情绪稳定"
    )


def test_a_key_person_visit_does_not_exist_for_other_staff(world, key_worker, key_visit, client_for):
    url = reverse("visits:visit_detail", args=[key_visit.pk])
    assert client_for(key_worker).get(url).status_code == 200
    for user in (world.grid_worker_a, world.grid_chief_a, world.secretary, world.town_officer):
        assert client_for(user).get(url).status_code == 404


def test_key_person_visits_are_left_out_of_lists_history_and_the_api_for_other_staff(
    world, key_worker, key_visit, client_for
):
    household = world.households["a"]
    marker = f'data-visit="{key_visit.pk}"'
    history = reverse("visits:household_history", args=[household.pk])
    assert marker in client_for(key_worker).get(history).content.decode()
    other = client_for(world.secretary)
    assert marker not in other.get(history).content.decode()
    assert marker not in other.get(reverse("visits:visit_list")).content.decode()
    ids = [v["id"] for v in other.get("/api/v1/visits").json()["items"]]
    assert key_visit.pk not in ids
    assert other.get(f"/api/v1/visits/{key_visit.pk}").status_code == 404
    assert key_visit.pk in [v["id"] for v in client_for(key_worker).get("/api/v1/visits").json()["items"]]


def test_a_household_visited_only_as_a_key_person_still_counts_as_never_visited(
    world, rules, key_visit, client_for
):
    client = client_for(world.secretary)
    client.cookies["django_language"] = "en"
    body = client.get(reverse("visits:coverage")).content.decode()
    assert f'data-household="{world.households["a"].pk}"' in body
    assert "0 of 3 households visited in this round." in body


def test_the_form_offers_the_key_person_kind_only_to_holders(world, key_worker, client_for):
    url = f"{reverse('visits:visit_new')}?household={world.households['a'].pk}"
    assert 'value="key_person"' in client_for(key_worker).get(url).content.decode()
    assert 'value="key_person"' not in client_for(world.grid_worker_a).get(url).content.decode()


def test_a_key_person_visit_leaves_no_trace_in_the_audit_log_of_other_staff(world, key_visit, client_for):
    from civicgrid.audit.models import AuditEvent

    row = AuditEvent.objects.get(object_type="visits.visit", object_id=str(key_visit.pk))
    assert row.action == "visit.key_person.log" and "key" not in row.object_repr.lower()
    page = client_for(world.secretary).get(reverse("audit_list")).content.decode()
    assert "visit.key_person" not in page and f"VISIT-{key_visit.pk}" not in page


def test_a_need_noted_on_a_key_person_visit_is_only_for_holders(world, key_worker, client_for):
    household = world.households["a"]
    logged = visit(
        key_worker, household, kind=VisitKind.KEY_PERSON, resident=household.head, need="需要心理疏导"
    )
    need = logged.needs.get()
    other = client_for(world.secretary)
    assert "需要心理疏导" not in other.get(reverse("visits:need_list")).content.decode()
    assert "需要心理疏导" in client_for(key_worker).get(reverse("visits:need_list")).content.decode()
    assert other.post(reverse("visits:need_meet", args=[need.pk])).status_code == 404
