"""The registry API: tokens, scoping, masking, the one error shape, and the reveal."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.tokens import token_create
from civicgrid.audit.models import DataAccess
from civicgrid.testing import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, world):
    def call(user, method: str, path: str, **kwargs):
        headers = {}
        if user is not None:
            _, raw = token_create(actor=None, user=user, name="test")
            headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        return getattr(client, method)(f"/api/v1{path}", content_type="application/json", **headers, **kwargs)

    return call


def test_without_a_token_the_api_answers_401_in_the_error_shape(api):
    response = api(None, "get", "/households")
    assert response.status_code == 401
    assert set(response.json()) == {"code", "message", "field"}


def test_a_wrong_token_is_refused(client, world):
    response = client.get("/api/v1/households", HTTP_AUTHORIZATION="Bearer cg_not-a-token")
    assert response.status_code == 401


def test_grid_chief_lists_own_grid_with_masked_ids(api, world):
    body = api(world.grid_chief_a, "get", "/households").json()
    assert [h["id"] for h in body["items"]] == [world.households["a"].pk]
    residents = api(world.grid_chief_a, "get", "/residents").json()["items"]
    plain = {m.id_number.plaintext() for m in world.households["a"].members.all()}
    assert {r["id_number_masked"] for r in residents}.isdisjoint(plain)
    assert all("*" in r["id_number_masked"] for r in residents)


def test_sibling_grid_household_is_404_and_handler_gets_403(api, world):
    assert api(world.grid_chief_a, "get", f"/households/{world.households['b'].pk}").status_code == 404
    assert api(world.handler, "get", f"/households/{world.households['a'].pk}").status_code == 403


def test_patch_with_a_bad_id_number_names_the_field_and_changes_nothing(api, world):
    resident = world.households["a"].head
    response = api(
        world.secretary, "patch", f"/residents/{resident.pk}", data={"id_number": "123", "name": "X"}
    )
    assert response.status_code == 400
    assert response.json()["field"] == "id_number"
    resident.refresh_from_db()
    assert resident.name != "X"


def test_patch_with_a_malformed_date_is_422_naming_the_field(api, world):
    resident = world.households["a"].head
    response = api(world.secretary, "patch", f"/residents/{resident.pk}", data={"birth_date": "soon"})
    assert response.status_code == 422
    assert response.json()["field"] == "birth_date"


def test_reveal_through_the_api_is_recorded(api, world):
    resident = world.households["a"].head
    response = api(
        world.secretary,
        "post",
        f"/residents/{resident.pk}/reveal",
        data={"field": "phone", "reason": "calling about the water cut"},
    )
    assert response.status_code == 200
    assert response.json()["value"] == resident.phone.plaintext()
    assert DataAccess.objects.get().reason == "calling about the water cut"


def test_list_query_count_is_flat(api, world):
    _, raw = token_create(actor=None, user=world.secretary, name="t")
    from django.test import Client

    c = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    with CaptureQueriesContext(connection) as few:
        c.get("/api/v1/residents")
    for _ in range(10):
        make_household(actor=world.secretary, unit=world.unit_b1, members=3)
    with CaptureQueriesContext(connection) as many:
        response = c.get("/api/v1/residents")
    assert len(response.json()["items"]) == 25
    assert len(many) == len(few)


def test_openapi_documents_the_error_responses(client):
    schema = client.get("/api/v1/openapi.json").json()
    responses = schema["paths"]["/api/v1/households"]["get"]["responses"]
    assert {"200", "401", "403", "404", "422"} <= set(responses)


def test_a_point_is_located_to_its_grid(api, world):
    body = api(world.secretary, "get", "/territories/locate?lon=108.07&lat=27.01").json()
    assert body["id"] == world.grid_b.pk
    assert api(world.secretary, "get", "/territories/locate?lon=10&lat=10").status_code == 404
    # A grid chief of grid A learns nothing about grid B through the locator.
    assert api(world.grid_chief_a, "get", "/territories/locate?lon=108.07&lat=27.01").status_code == 404


def test_household_detail_lists_members_masked(api, world):
    household = world.households["a"]
    response = api(world.grid_chief_a, "get", f"/households/{household.pk}")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["number"] == household.number
    assert {m["name"] for m in body["members"]} == set(household.members.values_list("name", flat=True))
    assert all("*" in m["id_number_masked"] for m in body["members"])


def test_revealing_an_unknown_field_is_a_clear_error(api, world):
    resident = world.households["a"].head
    response = api(
        world.secretary,
        "post",
        f"/residents/{resident.pk}/reveal",
        data={"field": "password", "reason": "just looking around"},
    )
    assert response.status_code in (400, 422)
    assert response.json()["field"] == "field"
