"""The review queue through the API: scoped, masked, paged; decisions in the one error shape."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.accounts.tokens import token_create
from civicgrid.registry import services
from civicgrid.registry.models import Resident, ReviewStatus
from civicgrid.registry.tests.conftest import person, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, world):
    def call(user, method: str, path: str, **kwargs):
        _, raw = token_create(actor=None, user=user, name="test")
        return getattr(client, method)(
            f"/api/v1/review{path}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
            **kwargs,
        )

    return call


@pytest.fixture
def waiting(new_house_a):
    return send(new_house_a, person("陈接口", phone="13911112222"))


@pytest.fixture
def member(world):
    household = world.households["a"]
    return household.members.exclude(pk=household.head_id).first()


def test_the_grid_chief_lists_waiting_registrations_masked(api, world, waiting):
    body = api(world.grid_chief_a, "get", "/registrations").json()
    assert [i["code"] for i in body["items"]] == [waiting.code]
    people = body["items"][0]["people"]
    assert people[0]["phone_masked"] == "139****2222" and "13911112222" not in str(body)
    assert waiting.people.get().id_number.plaintext() not in str(body)


def test_a_sibling_grid_chief_gets_404_and_a_grid_worker_403(api, world, waiting):
    assert api(world.grid_chief_b, "get", "/registrations").json()["items"] == []
    assert api(world.grid_chief_b, "get", f"/registrations/{waiting.pk}").status_code == 404
    response = api(world.grid_worker_a, "get", "/registrations")
    assert response.status_code == 403 and set(response.json()) == {"code", "message", "field"}
    assert (
        api(world.grid_worker_a, "post", f"/registrations/{waiting.pk}/approve", data={}).status_code == 403
    )


def test_approving_through_the_api(api, world, waiting):
    body = api(world.grid_chief_a, "post", f"/registrations/{waiting.pk}/approve", data={}).json()
    assert body["status"] == "approved" and body["household_id"]
    assert Resident.objects.filter(name="陈接口").exists()


def test_a_match_is_reported_and_merged(api, world, house_a, member):
    registration = send(house_a, {"name": "王接口", "id_number": member.id_number.plaintext()})
    body = api(world.grid_chief_a, "get", f"/registrations/{registration.pk}").json()
    assert body["can_merge"] and body["matches"][0]["resident_id"] == member.pk
    refused = api(world.grid_chief_a, "post", f"/registrations/{registration.pk}/approve", data={})
    assert refused.status_code == 400 and refused.json()["code"] == "matched"
    merged = api(world.grid_chief_a, "post", f"/registrations/{registration.pk}/merge").json()
    assert merged["status"] == "merged"


def test_a_rejection_needs_a_reason(api, world, waiting):
    response = api(world.grid_chief_a, "post", f"/registrations/{waiting.pk}/reject", data={"reason": ""})
    assert response.status_code == 400 and response.json()["field"] == "reason"
    body = api(
        world.grid_chief_a, "post", f"/registrations/{waiting.pk}/reject", data={"reason": "查无此人"}
    ).json()
    assert body["status"] == "rejected" and body["reason"] == "查无此人"


def test_a_grid_worker_proposes_and_the_grid_chief_applies_a_correction(api, world, member):
    data = {
        "household_id": member.household_id,
        "resident_id": member.pk,
        "changes": {"phone": "13788889999"},
    }
    made = api(world.grid_worker_a, "post", "/corrections", data=data)
    assert made.status_code == 201
    body = made.json()
    assert body["changes"][0]["after"] == "137****9999" and "13788889999" not in made.text
    queue = api(world.grid_chief_a, "get", "/corrections").json()
    assert [c["id"] for c in queue["items"]] == [body["id"]]
    applied = api(world.grid_chief_a, "post", f"/corrections/{body['id']}/approve").json()
    assert applied["status"] == ReviewStatus.APPROVED
    member.refresh_from_db()
    assert member.phone.plaintext() == "13788889999"


def test_an_unknown_field_in_a_correction_is_named(api, world, member):
    data = {"household_id": member.household_id, "resident_id": member.pk, "changes": {"income": "1"}}
    response = api(world.grid_worker_a, "post", "/corrections", data=data)
    assert response.status_code == 400 and response.json()["field"] == "income"


def test_a_correction_outside_my_area_does_not_exist(api, world):
    household = world.households["b"]
    data = {"household_id": household.pk, "changes": {"notes": "x"}}
    assert api(world.grid_worker_a, "post", "/corrections", data=data).status_code == 404
    correction = services.correction_propose(
        actor=world.grid_chief_b, household=household, resident=None, changes={"notes": "y"}
    )
    assert api(world.grid_chief_a, "get", f"/corrections/{correction.pk}").status_code == 404
    assert (
        api(
            world.grid_chief_a, "post", f"/corrections/{correction.pk}/reject", data={"reason": "no"}
        ).status_code
        == 404
    )


def test_the_registration_list_pages_in_a_fixed_number_of_queries(
    api, world, new_house_a, django_assert_max_num_queries
):
    for i in range(30):
        send(new_house_a, person(f"陈{i}", dt.date(1980, 1, 1 + i)))
    with django_assert_max_num_queries(8):
        first = api(world.grid_chief_a, "get", "/registrations?limit=20").json()
    second = api(world.grid_chief_a, "get", f"/registrations?limit=20&after={first['next_cursor']}").json()
    assert len(first["items"]) == 20 and len(second["items"]) == 10 and second["next_cursor"] is None
