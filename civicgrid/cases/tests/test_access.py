"""Who sees which case, told through the personas, on every surface: selectors, pages, API, queue,
counts and the ledger export. Outside one's area a case does not exist (404); inside it, acting at a
tier one does not sit at is forbidden (403).
"""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from civicgrid.accounts.tokens import token_create
from civicgrid.cases import ledger, measures, selectors, services
from civicgrid.cases.models import Case, Category, State, Tier
from civicgrid.orgs import services as orgs_services

pytestmark = pytest.mark.django_db

PERSONAS = ["grid_chief_a", "grid_chief_b", "secretary", "town_officer", "handler", "outsider"]
VISIBLE = {
    "grid_chief_a": {"a", "a_water", "a_climbed"},
    "grid_chief_b": {"b", "b_water"},
    "secretary": {"a", "b", "c", "a_water", "b_water", "a_climbed"},
    "town_officer": {"a", "b", "c", "x", "a_water", "b_water", "a_climbed"},
    "handler": {"a_water", "b_water"},
    "outsider": set(),
}


@pytest.fixture
def cases(world):
    def submit(household, code="sanitation", actor=None):
        return services.case_submit(
            actor=actor or world.secretary,
            channel="walk_in",
            category=Category.objects.get(code=code),
            title="事项",
            description="需要处理的事项",
            house=world.households[household].house,
        )

    made = {
        "a": submit("a"),
        "b": submit("b"),
        "c": submit("c"),  # grid C's code (…010) shares a prefix with grid A's (…001)
        "x": submit("x", actor=world.town_officer),  # another community
        "a_water": submit("a", "water"),
        "b_water": submit("b", "water"),
        "a_climbed": submit("a"),
    }
    for key in ("a_water", "b_water"):
        made[key] = services.case_dispatch(
            actor=world.secretary, case=made[key], departments=[world.department]
        )
    made["a_climbed"] = services.case_escalate(actor=world.grid_chief_a, case=made["a_climbed"], note="上报")
    # A second department that got nothing: its handler must see nothing.
    other = orgs_services.organisation_create(
        actor=None, kind="department", name="县住建局", territory=world.county, categories=["roads"]
    )
    from civicgrid.accounts.roles import Role
    from civicgrid.testing import make_user

    world.users["other_handler"] = make_user("other_handler", Role.DEPARTMENT_HANDLER, world.county, other)
    return made


def _keys(cases, rows) -> set[str]:
    by_pk = {c.pk: k for k, c in cases.items()}
    return {by_pk[r.pk if hasattr(r, "pk") else r] for r in rows}


def _bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(actor=None, user=user, name='t')[1]}"}


# --- Lists ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_register_lists_exactly_the_cases_of_my_area(world, cases, persona):
    page = selectors.case_list_for(getattr(world, persona), selectors.CaseFilters(), size=100)
    assert _keys(cases, page.rows) == VISIBLE[persona]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "outsider"])
def test_the_api_list_is_scoped_the_same_way(client, world, cases, persona):
    body = client.get("/api/v1/cases?limit=100", **_bearer(getattr(world, persona))).json()
    assert _keys(cases, [c["id"] for c in body["items"]]) == VISIBLE[persona]


@pytest.mark.parametrize("persona", [p for p in PERSONAS if p != "outsider"])
def test_the_list_page_is_scoped_the_same_way(client_for, world, cases, persona):
    html = client_for(getattr(world, persona)).get(reverse("cases:case_list")).content.decode()
    assert {k for k, c in cases.items() if c.code in html} == VISIBLE[persona]


def test_a_handler_of_another_department_sees_nothing(world, cases):
    assert selectors.case_list_for(world.other_handler, selectors.CaseFilters()).rows == []
    assert selectors.case_queue_for(world.other_handler) == []


def test_filtering_by_a_place_does_not_widen_what_a_handler_sees(world, cases):
    filters = selectors.CaseFilters(territory=world.c1)
    assert _keys(cases, selectors.case_list_for(world.handler, filters).rows) == {"a_water", "b_water"}


# --- One case ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", PERSONAS)
def test_one_case_is_there_for_my_area_and_404_elsewhere_on_every_surface(
    client, client_for, world, cases, persona
):
    user = getattr(world, persona)
    headers = _bearer(user)
    page_client = client_for(user)
    for key, case in cases.items():
        seen = key in VISIBLE[persona]
        if seen:
            assert selectors.case_get_for(user, case.pk) == case
        else:
            with pytest.raises(Http404):
                selectors.case_get_for(user, case.pk)
        assert client.get(f"/api/v1/cases/{case.pk}", **headers).status_code == (200 if seen else 404), key
        page = page_client.get(reverse("cases:case_detail", args=[case.pk]))
        assert page.status_code == (200 if seen else 404), key


def test_a_handler_gets_404_for_every_action_on_a_case_not_dispatched_to_it(client, world, cases):
    headers = _bearer(world.handler)
    for action in ("respond", "escalate", "return", "resolve", "comments"):
        response = client.post(
            f"/api/v1/cases/{cases['a'].pk}/{action}",
            {"note": "x"},
            content_type="application/json",
            **headers,
        )
        assert response.status_code == 404, action
    assert Case.objects.get(pk=cases["a"].pk).events.count() == 1


def test_a_handler_acts_on_what_was_dispatched_to_it(world, cases):
    case = services.case_resolve(actor=world.handler, case=cases["a_water"], note="已修复")
    assert case.state == State.RESOLVED


def test_a_grid_chief_sees_a_case_that_climbed_to_the_community_but_may_not_act_on_it(client, world, cases):
    climbed = cases["a_climbed"]
    assert climbed.tier == Tier.COMMUNITY
    headers = _bearer(world.grid_chief_a)
    body = client.get(f"/api/v1/cases/{climbed.pk}", **headers).json()
    assert body["actions"] == []
    response = client.post(
        f"/api/v1/cases/{climbed.pk}/resolve", {"note": "已清理"}, content_type="application/json", **headers
    )
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    with pytest.raises(PermissionDenied):
        services.case_comment(actor=world.grid_chief_a, case=climbed, note="看看")
    assert Case.objects.get(pk=climbed.pk).state == State.RECEIVED


def test_the_sibling_grid_chief_gets_404_even_for_acting(world, cases):
    with pytest.raises(Http404):
        services.case_respond(actor=world.grid_chief_b, case=cases["a"])
    with pytest.raises(Http404):
        services.case_respond(actor=world.grid_chief_a, case=cases["c"])


VALID_BODIES = {
    "respond": {},
    "escalate": {"note": "上报"},
    "return": {"note": "退回"},
    "dispatch": {"departments": [0]},
    "resolve": {"note": "已办"},
    "rate": {"rating": "satisfied"},
    "merge": {"into": "CNOPE", "note": "重复"},
    "extensions": {"days": 1, "reason": "等"},
    "extensions/1/decide": {"approve": True},
    "comments": {"note": "记"},
}


def test_an_outsider_gets_404_for_every_case_and_403_for_the_lists(client, world, cases):
    headers = _bearer(world.outsider)
    events_before = {k: c.events.count() for k, c in cases.items()}
    for case in cases.values():
        assert client.get(f"/api/v1/cases/{case.pk}", **headers).status_code == 404
        for action, body in VALID_BODIES.items():
            url = f"/api/v1/cases/{case.pk}/{action}"
            response = client.post(url, body, content_type="application/json", **headers)
            assert response.status_code == 404, action
    assert client.get("/api/v1/cases", **headers).status_code == 403
    assert client.get("/api/v1/cases/queue", **headers).status_code == 403
    assert {k: c.events.count() for k, c in cases.items()} == events_before


# --- Queues, counts and exports ---------------------------------------------------------------------


def test_my_queue_holds_what_waits_at_my_tier_only(world, cases):
    assert _keys(cases, selectors.case_queue_for(world.grid_chief_a)) == {"a"}
    assert _keys(cases, selectors.case_queue_for(world.grid_chief_b)) == {"b"}
    assert _keys(cases, selectors.case_queue_for(world.secretary)) == {"a_climbed"}
    assert _keys(cases, selectors.case_queue_for(world.handler)) == {"a_water", "b_water"}
    assert selectors.case_queue_for(world.outsider) == []


def test_counts_cover_my_area_and_a_sibling_grid_is_404(world, cases):
    period = measures.period_of("this_year")
    assert measures.measures_for(world.grid_chief_a, world.grid_a, period).received == 3
    assert measures.measures_for(world.secretary, world.c1, period).received == 6
    assert measures.measures_for(world.town_officer, world.town, period).received == 7
    with pytest.raises(Http404):
        measures.measures_for(world.grid_chief_a, world.grid_b, period)
    with pytest.raises(Http404):
        measures.measures_for(world.grid_chief_a, world.c1, period)


def test_the_ledger_exports_my_area_only(world, cases):
    rows = list(ledger.ledger_rows(world.secretary, selectors.CaseFilters(), limit=100))
    assert {r.code for r in rows} == {cases[k].code for k in VISIBLE["secretary"]}
    with pytest.raises(Http404):
        ledger.ledger_xlsx(world.secretary, selectors.CaseFilters(territory=world.c2))
    with pytest.raises(PermissionDenied):  # grid chiefs see cases but do not export the ledger
        ledger.ledger_xlsx(world.grid_chief_a, selectors.CaseFilters())


def test_the_admin_shows_cases_read_only_and_masks_the_phone(client, world, cases):
    from civicgrid.accounts.models import User

    root = User.objects.create_superuser("root_admin", password="root-admin-pass-1")
    client.force_login(root)
    case = cases["a"]
    Case.objects.filter(pk=case.pk).update(reporter_phone=Case(reporter_phone="13812345678").reporter_phone)
    for model in ("case", "caseevent", "deadline", "caseassignment", "extension", "category", "casestat"):
        assert client.get(f"/admin/cases/{model}/").status_code == 200, model
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200 and "13812345678" not in page.content.decode()
    refused = client.post(f"/admin/cases/case/{case.pk}/change/", {"title": "改"})
    assert refused.status_code == 403 and Case.objects.get(pk=case.pk).title == case.title
