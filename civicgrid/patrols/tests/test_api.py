"""The patrols API: teams, shifts, check-in and check-out, findings to cases, hours; errors in one shape."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.tokens import token_create
from civicgrid.patrols import services

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def api(client):
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
        return getattr(client, method)(f"/api/v1/patrols{path}", **kwargs, **extra)

    return call


def test_without_a_token_the_api_answers_401(api, patrol):
    for method, path in [("get", "/teams"), ("post", f"/teams/{patrol.team.pk}/members"), ("get", "/hours")]:
        response = api(None, method, path, data={} if method == "post" else None)
        assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_a_volunteer_lists_only_their_own_team(api, patrol):
    body = api(patrol.volunteer, "get", "/teams").json()
    assert [t["id"] for t in body["items"]] == [patrol.team.pk]


def test_a_team_shows_members_by_name_with_the_leader_marked(api, patrol):
    body = api(patrol.volunteer, "get", f"/teams/{patrol.team.pk}").json()
    by_name = {m["name"]: m for m in body["members"]}
    assert by_name["pm_leader_a"]["is_leader"] and not by_name["张大爷"]["has_account"]
    assert body["areas"][0]["territory_id"] == patrol.area.territory_id


def test_the_secretary_sets_up_a_team_and_a_wrong_place_is_a_field_error(api, patrol, world):
    made = api(world.secretary, "post", "/teams", {"territory": world.grid_c.pk, "name": "十网格巡逻"})
    assert made.status_code == 201 and made.json()["territory_id"] == world.grid_c.pk
    wrong = api(world.secretary, "post", "/teams", {"territory": world.unit_a1.pk, "name": "x"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "territory"


def test_a_member_checks_in_and_out_and_a_second_check_in_is_a_400(api, patrol):
    shift = patrol.plan()
    with patrol.later(HOUR):
        first = api(patrol.volunteer, "post", f"/shifts/{shift.pk}/check-in", {"lon": 108.01, "lat": 27.01})
        again = api(patrol.volunteer, "post", f"/shifts/{shift.pk}/check-in", {})
    assert first.status_code == 200 and first.json()["located_id"] == patrol.team.territory_id
    assert again.status_code == 400 and again.json()["code"] == "already_checked_in"
    with patrol.later(2 * HOUR):
        out = api(patrol.volunteer, "post", f"/shifts/{shift.pk}/check-out", {})
    assert out.status_code == 200 and out.json()["checked_out_at"]


def test_checking_out_without_checking_in_is_a_400(api, patrol):
    shift = patrol.plan()
    with patrol.later(HOUR):
        response = api(patrol.volunteer, "post", f"/shifts/{shift.pk}/check-out", {})
    assert response.status_code == 400 and response.json()["code"] == "not_checked_in"


def test_a_member_checking_in_another_member_is_a_403(api, patrol):
    shift = patrol.plan()
    with patrol.later(HOUR):
        response = api(patrol.volunteer, "post", f"/shifts/{shift.pk}/check-in", {"member": patrol.elder.pk})
    assert response.status_code == 403


def test_a_finding_becomes_a_case_through_the_api(api, patrol, categories):
    shift = patrol.plan()
    with patrol.later(HOUR):
        api(patrol.volunteer, "post", f"/shifts/{shift.pk}/check-in", {})
        plain = api(patrol.volunteer, "post", f"/shifts/{shift.pk}/findings", {"description": "路灯不亮"})
        assert plain.status_code == 201 and plain.json()["case_code"] is None
        no_category = api(
            patrol.volunteer, "post", f"/findings/{plain.json()['id']}/case", {"category": "nope"}
        )
        assert no_category.status_code == 400 and no_category.json()["field"] == "category"
        raised = api(patrol.volunteer, "post", f"/findings/{plain.json()['id']}/case", {"category": "power"})
        twice = api(patrol.volunteer, "post", f"/findings/{plain.json()['id']}/case", {"category": "power"})
    assert raised.status_code == 200 and raised.json()["case_code"].startswith("C")
    assert twice.status_code == 400 and twice.json()["code"] == "raised"


def test_hours_per_team_and_per_member(api, patrol, world):
    shift = patrol.plan()
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    with patrol.later(3 * HOUR):
        services.attendance_check_out(actor=patrol.volunteer, shift=shift, member=patrol.me)
        day = shift.starts_at.date().isoformat()
        teams = api(world.secretary, "get", f"/hours?first={day}&last={day}").json()
        members = api(patrol.volunteer, "get", f"/hours?team={patrol.team.pk}&first={day}&last={day}").json()
        backwards = api(world.secretary, "get", f"/hours?first={day}&last=2000-01-01")
    assert {t["id"]: t["hours"] for t in teams["teams"]}[patrol.team.pk] == 2.0
    assert {m["name"]: m["hours"] for m in members["members"]}["volunteer_a"] == 2.0
    assert backwards.status_code == 400 and backwards.json()["field"] == "last"


def test_a_volunteer_cannot_see_the_community_hours(api, patrol):
    assert api(patrol.volunteer, "get", "/hours").status_code == 403


def test_the_team_list_costs_the_same_for_one_team_or_twenty(api, patrol, world):
    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert api(world.secretary, "get", "/teams").status_code == 200
        return len(ctx)

    count()  # the first call also records the token's first use
    few = count()
    for i in range(20):
        services.team_create(actor=world.secretary, territory=world.grid_a, name=f"队{i}")
    assert count() == few


def test_the_shift_and_finding_lists_cost_a_fixed_number_of_queries(
    api, patrol, world, django_assert_max_num_queries, categories
):
    for i in range(8):
        shift = patrol.plan(start_in=(i + 1) * HOUR)
    with patrol.later(8 * HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
        for i in range(6):
            services.finding_record(
                actor=patrol.volunteer, shift=shift, member=patrol.me, description=f"发现{i}"
            )
        with django_assert_max_num_queries(8):
            assert len(api(world.secretary, "get", "/shifts").json()["items"]) >= 1
        with django_assert_max_num_queries(8):
            assert len(api(world.secretary, "get", "/findings").json()["items"]) == 6


def test_adding_an_account_from_elsewhere_is_not_found_and_names_nobody(api, patrol, world):
    stranger = world.grid_chief_b  # an account of the sibling grid, not one that may patrol here
    answer = api(patrol.leader, "post", f"/teams/{patrol.team.pk}/members", {"user": stranger.pk})
    assert answer.status_code == 400 and answer.json()["field"] == "user"
    assert stranger.username not in answer.content.decode()
    joined = api(
        patrol.leader, "post", f"/teams/{patrol.team.pk}/members", {"user": patrol.idle_volunteer.pk}
    )
    assert joined.status_code == 201


def test_a_shift_planned_with_a_time_without_offset_is_read_in_local_time(api, patrol):
    answer = api(
        patrol.leader,
        "post",
        f"/teams/{patrol.team.pk}/shifts",
        {"starts_at": "2030-05-01T20:00:00", "ends_at": "2030-05-01T22:00:00"},
    )
    assert answer.status_code == 201, answer.content
    starts = dt.datetime.fromisoformat(answer.json()["starts_at"])
    assert starts == dt.datetime(2030, 5, 1, 12, 0, tzinfo=dt.UTC)  # 20:00 in Asia/Shanghai


def test_a_finding_located_outside_the_teams_area_is_refused(api, patrol, world):
    shift = patrol.plan()
    with patrol.later(HOUR):
        api(patrol.volunteer, "post", f"/shifts/{shift.pk}/check-in", {})
        inside_b = {"description": "井盖缺失", "lon": 108.07, "lat": 27.02}  # grid B's square, not the team's
        answer = api(patrol.volunteer, "post", f"/shifts/{shift.pk}/findings", inside_b)
    assert answer.status_code == 400 and answer.json()["field"] == "lon"
