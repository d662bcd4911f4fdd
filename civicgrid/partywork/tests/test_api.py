"""The party-work API: pairings, contacts, coverage and in-service reports; errors in the one shape;
a member sees only their own pairings; lists keyset-paginated with flat query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.tokens import token_create
from civicgrid.core import clock
from civicgrid.partywork import services
from civicgrid.partywork.models import ContactLog
from civicgrid.testing import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, party):
    tokens = {}

    def call(user, method: str, path: str, data=None):
        extra = {}
        if user is not None:
            if user.pk not in tokens:
                tokens[user.pk] = token_create(actor=None, user=user, name="test")[1]
            extra["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.pk]}"
        kwargs = {"content_type": "application/json"} if method != "get" else {}
        if data is not None:
            kwargs["data"] = data
        return getattr(client, method)(f"/api/v1/partywork{path}", **kwargs, **extra)

    return call


@pytest.fixture
def paired(party):
    party.pairings = services.contact_pairing_create(
        actor=party.grid_chief_a, member=party.member_a, households=[party.households[k] for k in ("a", "a2")]
    ).pairings
    party.pairing_b = services.contact_pairing_create(
        actor=party.grid_chief_b, member=party.member_b, households=[party.households["b"]]
    ).pairings[0]
    return party


def test_without_a_token_the_api_answers_401(api, party):
    response = api(None, "get", "/pairings")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_grid_chief_pairs_through_the_api_and_gets_the_warnings(api, party):
    body = {
        "member_id": party.member_a.pk,
        "household_ids": [party.households["a"].pk, party.households["a3"].pk],
    }
    response = api(party.grid_chief_a, "post", "/pairings", body)
    assert response.status_code == 201
    data = response.json()
    assert [i["household_number"] for i in data["items"]] == [
        party.households["a"].number,
        party.households["a3"].number,
    ]
    assert data["warnings"] == []
    # No ID number and no phone (a mobile number is 11 digits; a house number may hold "138").
    assert "id_number" not in str(data) and not re.search(r"1[3-9]\d{9}", str(data))


def test_pairing_a_household_of_the_sibling_grid_is_404_and_a_member_elsewhere_400(api, party):
    body = {"member_id": party.member_a.pk, "household_ids": [party.households["b"].pk]}
    assert api(party.grid_chief_a, "post", "/pairings", body).status_code == 404
    response = api(party.secretary, "post", "/pairings", body)
    assert response.status_code == 400
    assert response.json()["code"] == "outside_grid" and response.json()["field"] == "households"


def test_a_member_lists_only_their_own_pairings(api, paired):
    items = api(paired.member_a, "get", "/pairings").json()["items"]
    assert {i["household_id"] for i in items} == {paired.households["a"].pk, paired.households["a2"].pk}
    mine = api(paired.member_a, "get", "/mine").json()
    assert [m["contacted_this_week"] for m in mine] == [False, False]


def test_a_member_records_a_contact_and_cannot_on_another_members_household(api, paired):
    ok = api(paired.member_a, "post", "/contacts", {"pairing_id": paired.pairings[0].pk, "method": "wechat"})
    assert ok.status_code == 201 and ok.json()["method"] == "wechat"
    other = api(paired.member_a, "post", "/contacts", {"pairing_id": paired.pairing_b.pk, "method": "visit"})
    assert other.status_code == 404
    bad = api(
        paired.member_a, "post", "/contacts", {"pairing_id": paired.pairings[1].pk, "method": "telegram"}
    )
    assert bad.status_code == 422
    assert ContactLog.objects.count() == 1
    mine = {m["id"]: m["contacted_this_week"] for m in api(paired.member_a, "get", "/mine").json()}
    assert mine[paired.pairings[0].pk] is True


def test_coverage_for_the_community(api, paired):
    services.contact_log_create(actor=paired.member_a, pairing=paired.pairings[0], method="visit")
    data = api(paired.secretary, "get", "/coverage").json()
    assert data["territory_id"] == paired.c1.pk
    assert data["total"] == {
        "paired": 3,
        "contacted_week": 1,
        "contacted_month": 1,
        "week_rate": 33,
        "month_rate": 33,
    }
    grids = {p["name"]: p["tally"]["paired"] for p in data["places"]}
    assert grids[paired.grid_a.name] == 2 and grids[paired.grid_b.name] == 1
    assert api(paired.grid_chief_a, "get", f"/coverage?place={paired.grid_b.pk}").status_code == 404
    assert api(paired.member_a, "get", "/coverage").status_code == 403
    uncontacted = api(paired.grid_chief_a, "get", "/uncontacted").json()["items"]
    assert [u["household_id"] for u in uncontacted] == [paired.households["a2"].pk]


def test_hand_over_through_the_api(api, paired):
    response = api(
        paired.grid_chief_a,
        "post",
        f"/members/{paired.member_a.pk}/hand-over",
        {"to_member_id": paired.member_a2.pk},
    )
    assert response.status_code == 200
    assert {m["member_id"] for m in response.json()["made"]} == {paired.member_a2.pk}
    wrong = api(
        paired.secretary,
        "post",
        f"/members/{paired.member_a2.pk}/hand-over",
        {"to_member_id": paired.member_b.pk},
    )
    assert wrong.status_code == 400 and wrong.json()["field"] == "to_member_id"
    assert (
        api(paired.grid_chief_b, "post", f"/members/{paired.member_a2.pk}/hand-over", {}).status_code == 404
    )


def test_pairings_page_with_a_cursor_and_flat_queries(api, party):
    households = [make_household(actor=party.secretary, unit=party.unit_a1, members=1) for _ in range(7)]
    services.contact_pairing_create(actor=party.grid_chief_a, member=party.member_a, households=households)
    api(party.grid_chief_a, "get", "/pairings?limit=2")
    with CaptureQueriesContext(connection) as small:
        first = api(party.grid_chief_a, "get", "/pairings?limit=2").json()
    with CaptureQueriesContext(connection) as large:
        api(party.grid_chief_a, "get", "/pairings?limit=6")
    assert len(small) == len(large) <= 8
    second = api(party.grid_chief_a, "get", f"/pairings?limit=2&after={first['next_cursor']}").json()
    assert {i["id"] for i in first["items"]}.isdisjoint({i["id"] for i in second["items"]})


def test_in_service_member_reports_pledges_records_and_the_community_confirms(api, party):
    me = api(
        party.inservice,
        "post",
        "/inservice",
        {"community_id": party.c1.pk, "workplace": "县医院", "me": True},
    )
    assert me.status_code == 201
    member_id = me.json()["id"]
    assert me.json()["name"] == "inservice"
    pledge = api(
        party.inservice, "post", f"/inservice/{member_id}/pledges", {"category": "health", "what": "义诊"}
    )
    assert pledge.status_code == 201
    done = api(
        party.inservice,
        "post",
        f"/inservice/{member_id}/services",
        {"done_on": str(clock.today()), "hours": "2.5", "what": "社区义诊", "pledge_id": pledge.json()["id"]},
    )
    assert done.status_code == 201 and done.json()["status"] == "pending"
    assert (
        api(party.inservice, "post", f"/services/{done.json()['id']}/decide", {"confirm": True}).status_code
        == 403
    )
    decided = api(party.secretary, "post", f"/services/{done.json()['id']}/decide", {"confirm": True})
    assert decided.json()["status"] == "confirmed"
    year = api(party.secretary, "get", "/inservice").json()
    assert [(i["name"], i["year_hours"], i["year_services"]) for i in year["items"]] == [
        ("inservice", "2.5", 1)
    ]
    assert api(party.grid_chief_a, "get", "/inservice").status_code == 403
    assert api(party.town_officer, "get", f"/inservice/{member_id}").status_code == 200
