"""The key-person API: list, detail, register, review, end; errors in the one shape; masked; flat queries."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.accounts.tokens import token_create
from civicgrid.core import clock
from civicgrid.keypersons.models import KeyPerson
from civicgrid.keypersons.services import add_years
from civicgrid.keypersons.tests.conftest import register, resident_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, people):
    tokens = {}

    def call(user, method: str, path: str = "", data=None):
        if user.pk not in tokens:
            tokens[user.pk] = token_create(actor=None, user=user, name="test")[1]
        kwargs = {"HTTP_AUTHORIZATION": f"Bearer {tokens[user.pk]}"}
        if method == "post":
            kwargs["content_type"] = "application/json"
        return getattr(client, method)(f"/api/v1/keypersons{path}", data, **kwargs)

    return call


def _body(people, **kw):
    return {
        "resident_id": resident_of(people).pk,
        "category": "drug_rehabilitation",
        "risk_colour": "red",
        "reason": "社区康复期",
        **kw,
    }


def test_registering_answers_201_with_the_id_number_masked(people, api):
    response = api(people.grid_chief_a, "post", "", _body(people))
    assert response.status_code == 201, response.content
    data = response.json()
    resident = resident_of(people)
    assert data["resident_name"] == resident.name
    assert data["id_number"] == str(resident.id_number) != resident.id_number.plaintext()
    assert data["until"] == add_years(clock.today(), 3).isoformat()
    assert data["next_visit_due"] == (clock.today() + dt.timedelta(days=7)).isoformat()


def test_a_missing_end_date_is_a_400_naming_the_field(people, api):
    response = api(people.grid_chief_a, "post", "", _body(people, category="community_correction"))
    assert response.status_code == 400
    assert response.json()["field"] == "until"


def test_an_unknown_category_and_a_bad_colour_are_refused(people, api):
    assert api(people.grid_chief_a, "post", "", _body(people, category="nope")).json()["field"] == "category"
    response = api(people.grid_chief_a, "post", "", _body(people, risk_colour="blue"))
    assert response.status_code == 422


def test_registering_someone_in_the_sibling_grid_is_a_404_and_a_worker_gets_403(people, api):
    assert api(people.grid_chief_b, "post", "", _body(people)).status_code == 404
    assert api(people.grid_worker_a, "post", "", _body(people)).status_code == 403
    assert not KeyPerson.objects.exists()


def test_the_list_filters_by_colour_and_pages_with_a_cursor(people, api):
    register(people)
    register(people, code="petitioner", colour="green")
    register(people, "c", code="petitioner", colour="yellow")
    first = api(people.secretary, "get", "", {"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    assert first["counts"] == {"red": 1, "yellow": 1, "green": 1, "overdue": 0, "due": 0, "total": 3}
    rest = api(people.secretary, "get", "", {"limit": 2, "after": first["next_cursor"]}).json()
    assert len(rest["items"]) == 1 and rest["next_cursor"] is None
    greens = api(people.secretary, "get", "", {"colour": "green"}).json()["items"]
    assert [i["risk_colour"] for i in greens] == ["green"]


def test_the_list_costs_the_same_for_more_rows(people, api, django_assert_max_num_queries):
    for key in ("a", "b", "c"):
        register(people, key)
        register(people, key, code="petitioner", colour="yellow")
    api(people.secretary, "get")
    with django_assert_max_num_queries(9):
        assert api(people.secretary, "get").status_code == 200


def test_the_detail_has_the_history_and_the_cadence(people, api):
    kp = register(people)
    data = api(people.grid_chief_a, "get", f"/{kp.pk}").json()
    assert data["visit_every_days"] == 7
    assert [r["action"] for r in data["reviews"]] == ["register"]
    assert api(people.grid_chief_b, "get", f"/{kp.pk}").status_code == 404


def test_review_then_end_then_review_again_is_a_conflict(people, api):
    kp = register(people)
    reviewed = api(
        people.grid_chief_a, "post", f"/{kp.pk}/review", {"risk_colour": "yellow", "reason": "好转"}
    )
    assert reviewed.status_code == 200 and reviewed.json()["risk_colour"] == "yellow"
    assert (
        api(people.grid_chief_a, "post", f"/{kp.pk}/review", {"risk_colour": "red", "reason": ""}).json()[
            "field"
        ]
        == "reason"
    )
    ended = api(people.grid_chief_a, "post", f"/{kp.pk}/end", {"reason": "解除"})
    assert ended.json()["status"] == "ended"
    again = api(people.grid_chief_a, "post", f"/{kp.pk}/review", {"risk_colour": "red", "reason": "复吸"})
    assert again.status_code == 409 and again.json()["code"] == "not_active"


def test_categories_and_cadence_read_for_designated_roles(people, api):
    codes = [c["code"] for c in api(people.grid_chief_a, "get", "/categories").json()]
    assert "drug_rehabilitation" in codes and "community_correction" in codes
    cadence = api(people.grid_chief_a, "get", "/cadence", {"territory": people.grid_a.pk}).json()
    assert cadence["days"] == {"red": 7, "yellow": 30, "green": 90}
    assert api(people.grid_chief_a, "get", "/cadence", {"territory": people.grid_b.pk}).status_code == 404
