"""The cases API: every endpoint, its errors in the one shape, idempotent intake, flat query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.roles import Role
from civicgrid.accounts.tokens import token_create
from civicgrid.cases import services, workflow
from civicgrid.cases.models import Case, CaseAssignment, Category, Extension, State, Tier
from civicgrid.core import clock
from civicgrid.orgs import services as orgs_services
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, world):
    tokens = {}

    def call(user, method: str, path: str, data=None, headers=None):
        extra = dict(headers or {})
        if user is not None:
            if user.pk not in tokens:
                tokens[user.pk] = token_create(actor=None, user=user, name="test")[1]
            extra["HTTP_AUTHORIZATION"] = f"Bearer {tokens[user.pk]}"
        kwargs = {"content_type": "application/json"} if method != "get" else {}
        if data is not None:
            kwargs["data"] = data
        return getattr(client, method)(f"/api/v1/cases{path}", **kwargs, **extra)

    return call


def _case(world, code="sanitation", **kw):
    data = {
        "actor": world.grid_worker_a,
        "channel": "walk_in",
        "category": Category.objects.get(code=code),
        "title": "垃圾满了",
        "description": "楼下垃圾桶三天没清",
        "house": world.households["a"].house,
    }
    return services.case_submit(**{**data, **kw})


def _submit_body(world, **kw):
    return {
        "channel": "walk_in",
        "category": "sanitation",
        "description": "楼道灯坏了",
        "house_code": world.households["a"].house.house_code,
        "reporter_name": "王先生",
        "reporter_phone": "13812345678",
        **kw,
    }


# --- Authentication and the catalogue -------------------------------------------------------------


def test_without_a_token_every_endpoint_answers_401_in_the_error_shape(api, world):
    case = _case(world)
    for method, path in [("get", ""), ("get", f"/{case.pk}"), ("post", f"/{case.pk}/respond"), ("post", "")]:
        response = api(None, method, path, data={} if method == "post" else None)
        assert response.status_code == 401, path
        assert response.json()["code"] == "unauthenticated"
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED


def test_categories_list_the_catalogue_with_effective_time_limits(api, world):
    body = api(world.grid_worker_a, "get", "/categories").json()
    by_code = {c["code"]: c for c in body}
    assert by_code["water"]["parent"] == "utilities"
    assert by_code["water"]["limits"]["urgent"] == {"respond_hours": 2, "resolve_days": 2}
    assert by_code["sanitation"]["limits"]["normal"] == {"respond_hours": 24, "resolve_days": 5}
    assert by_code["sanitation"]["limits"]["emergency"]["respond_hours"] == 1


def test_a_category_hidden_from_residents_is_listed_for_staff_only(api, world):
    Category.objects.filter(code="praise").update(public=False)
    resident = make_user("resident_user")
    assert "praise" in {c["code"] for c in api(world.secretary, "get", "/categories").json()}
    assert "praise" not in {c["code"] for c in api(resident, "get", "/categories").json()}


# --- Intake -----------------------------------------------------------------------------------------


def test_submit_takes_a_case_in_at_the_grid_with_the_phone_masked(api, world):
    response = api(world.grid_worker_a, "post", "", data=_submit_body(world))
    assert response.status_code == 201
    body = response.json()
    assert (body["tier"], body["state"], body["channel"]) == ("grid", "received", "walk_in")
    assert body["territory_id"] == world.unit_a1.pk
    assert body["reporter_phone"] == "138****5678"
    assert "13812345678" not in response.content.decode()
    assert [e["action"] for e in body["timeline"]] == ["submit"]
    assert {d["kind"] for d in body["deadlines"]} == {"respond", "resolve"}
    assert Case.objects.get(pk=body["id"]).reporter_phone.plaintext() == "13812345678"


def test_the_same_idempotency_key_header_twice_makes_one_case_and_answers_200(api, world):
    headers = {"HTTP_IDEMPOTENCY_KEY": "walkin-2026-0001"}
    first = api(world.grid_worker_a, "post", "", data=_submit_body(world), headers=headers)
    again = api(world.grid_worker_a, "post", "", data=_submit_body(world), headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert Case.objects.count() == 1


def test_the_same_idempotency_key_with_another_request_is_refused_with_422(api, world):
    headers = {"HTTP_IDEMPOTENCY_KEY": "walkin-2026-0002"}
    first = api(world.grid_worker_a, "post", "", data=_submit_body(world), headers=headers)
    other = api(
        world.grid_worker_a, "post", "", data=_submit_body(world, description="路灯坏了"), headers=headers
    )
    assert (first.status_code, other.status_code) == (201, 422)
    assert other.json()["code"] == "idempotency_key_reused" and other.json()["field"] == "idempotency_key"
    assert Case.objects.count() == 1 and Case.objects.get().description != "路灯坏了"
    # The first request, sent again, still gets its case.
    again = api(world.grid_worker_a, "post", "", data=_submit_body(world), headers=headers)
    assert (again.status_code, again.json()["id"]) == (200, first.json()["id"])


def test_a_new_case_is_answered_as_reading_it_back_would_show_it(api, world):
    made = api(world.grid_worker_a, "post", "", data=_submit_body(world))
    assert made.status_code == 201
    read = api(world.grid_worker_a, "get", f"/{made.json()['id']}")
    assert made.json() == read.json()
    assert made.json()["actions"]  # the buttons the grid worker may press on it


INTAKE_QUERIES = 17  # token, grants, house, case, event, deadlines, audit, recipients, notice, roll-ups…


def test_intake_costs_a_bounded_number_of_queries_and_a_repeat_writes_nothing(api, world):
    from civicgrid.audit.models import AuditEvent
    from civicgrid.cases.models import CaseStat, CaseStatArea

    api(world.grid_worker_a, "post", "", data=_submit_body(world), headers={"HTTP_IDEMPOTENCY_KEY": "warm"})
    headers = {"HTTP_IDEMPOTENCY_KEY": "q-1"}
    audits = AuditEvent.objects.filter(action="case.submit").count()
    with CaptureQueriesContext(connection) as queries:
        first = api(world.grid_worker_a, "post", "", data=_submit_body(world), headers=headers)
    assert first.status_code == 201
    assert len(queries.captured_queries) <= INTAKE_QUERIES
    assert AuditEvent.objects.filter(action="case.submit").count() == audits + 1
    counted = lambda: (  # noqa: E731
        Case.objects.count(),
        AuditEvent.objects.count(),
        sorted(CaseStat.objects.values_list("id", "received")),
        sorted(CaseStatArea.objects.values_list("id", "received")),
    )
    before = counted()
    again = api(world.grid_worker_a, "post", "", data=_submit_body(world), headers=headers)
    assert (again.status_code, again.json()) == (200, first.json())
    assert counted() == before


def test_the_idempotency_key_may_come_in_the_body(api, world):
    body = _submit_body(world, idempotency_key="k-1")
    assert api(world.grid_worker_a, "post", "", data=body).status_code == 201
    assert api(world.grid_worker_a, "post", "", data=body).status_code == 200
    assert Case.objects.count() == 1


def test_a_header_and_body_key_that_differ_are_refused(api, world):
    response = api(
        world.grid_worker_a,
        "post",
        "",
        data=_submit_body(world, idempotency_key="a"),
        headers={"HTTP_IDEMPOTENCY_KEY": "b"},
    )
    assert response.status_code == 400 and response.json()["field"] == "idempotency_key"
    assert Case.objects.count() == 0


def test_another_account_reusing_a_key_gets_its_own_case_not_the_first_one(api, world):
    headers = {"HTTP_IDEMPOTENCY_KEY": "shared-key"}
    first = api(world.grid_worker_a, "post", "", data=_submit_body(world), headers=headers).json()
    other = api(world.secretary, "post", "", data=_submit_body(world), headers=headers)
    assert other.status_code == 201 and other.json()["id"] != first["id"]


def test_the_12345_hotline_pushes_a_case_with_its_own_reference(api, world):
    hotline = make_user("hotline_12345", Role.TOWN_OFFICER, world.town)
    body = _submit_body(
        world,
        channel="hotline_12345",
        category="water",
        house_code="",
        territory=world.grid_b.pk,
        external_id="BJ12345-20260301-0042",
        anonymous=True,
    )
    response = api(hotline, "post", "", data=body, headers={"HTTP_IDEMPOTENCY_KEY": "BJ12345-20260301-0042"})
    assert response.status_code == 201
    data = response.json()
    assert (data["channel"], data["external_id"]) == ("hotline_12345", "BJ12345-20260301-0042")
    assert (data["tier"], data["territory_id"], data["urgency"]) == ("community", world.grid_b.pk, "urgent")
    assert data["reporter_name"] == "" and data["reporter_phone"] == ""  # anonymous keeps nothing


def test_a_point_on_the_map_finds_the_grid(api, world):
    body = _submit_body(world, house_code="", lon=108.01, lat=27.01)
    response = api(world.secretary, "post", "", data=body)
    assert response.status_code == 201 and response.json()["territory_id"] == world.grid_a.pk


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"category": "no-such-thing"}, 400, "category"),
        ({"description": ""}, 400, "description"),
        ({"description": None}, 422, "description"),
        ({"channel": "portal"}, 422, "channel"),
        ({"urgency": "whenever"}, 422, "urgency"),
        ({"reporter_phone": "call me"}, 422, "reporter_phone"),
        ({"title": "x" * 121}, 422, "title"),
        ({"house_code": "ZZZZZZZZ"}, 400, "house_code"),
        ({"house_code": "", "lon": 108.01}, 400, "lat"),
        ({"house_code": "", "lon": 10.0, "lat": 10.0}, 400, "location"),
        ({"house_code": ""}, 400, "territory"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(api, world, change, status, field):
    response = api(world.grid_worker_a, "post", "", data=_submit_body(world, **change))
    assert response.status_code == status, response.json()
    assert response.json()["field"] == field
    assert Case.objects.count() == 0


def test_a_house_in_another_grid_is_refused_like_one_that_does_not_exist(api, world):
    body = _submit_body(world, house_code=world.households["b"].house.house_code)
    response = api(world.grid_worker_a, "post", "", data=body)
    assert response.status_code == 400
    assert response.json() == {
        "code": "invalid",
        "message": api(world.grid_worker_a, "post", "", data=_submit_body(world, house_code="NOPE")).json()[
            "message"
        ],
        "field": "house_code",
    }
    assert Case.objects.count() == 0


def test_a_department_handler_cannot_take_cases_in(api, world):
    assert api(world.handler, "post", "", data=_submit_body(world)).status_code == 403


# --- Reads ------------------------------------------------------------------------------------------


def test_the_list_filters_and_pages_with_a_cursor(api, world):
    cases = [_case(world, title=f"第{i}件") for i in range(5)]
    water = _case(world, code="water", title="停水")
    services.case_respond(actor=world.secretary, case=water)
    first = api(world.secretary, "get", "?limit=4").json()
    assert [c["id"] for c in first["items"]] == [water.pk] + [c.pk for c in reversed(cases)][:3]
    rest = api(world.secretary, "get", f"?limit=4&after={first['next_cursor']}").json()
    assert [c["id"] for c in rest["items"]] == [c.pk for c in reversed(cases)][3:]
    assert rest["next_cursor"] is None
    assert [c["id"] for c in api(world.secretary, "get", "?state=handling").json()["items"]] == [water.pk]
    assert [c["id"] for c in api(world.secretary, "get", "?category=utilities").json()["items"]] == [water.pk]
    assert [c["id"] for c in api(world.secretary, "get", "?tier=community").json()["items"]] == [water.pk]
    assert [c["id"] for c in api(world.secretary, "get", f"?q={water.code}").json()["items"]] == [water.pk]
    assert len(api(world.secretary, "get", "?state=open").json()["items"]) == 6


def test_the_list_filters_by_the_day_received(api, world):
    with clock.moved(-dt.timedelta(days=3)):  # before the personas' roles began: taken in by the system
        old = _case(world, title="三天前", actor=None)
    new = _case(world, title="今天")
    today, earlier = clock.today(), clock.today() - dt.timedelta(days=3)
    assert [c["id"] for c in api(world.secretary, "get", f"?received_from={today}").json()["items"]] == [
        new.pk
    ]
    assert [c["id"] for c in api(world.secretary, "get", f"?received_to={earlier}").json()["items"]] == [
        old.pk
    ]
    bad = api(world.secretary, "get", "?received_from=yesterday")
    assert bad.status_code == 422 and bad.json()["field"] == "received_from"


def test_a_page_holds_at_most_100(api, world):
    for i in range(3):
        _case(world, title=f"{i}")
    assert len(api(world.secretary, "get", "?limit=1000").json()["items"]) == 3
    assert len(api(world.secretary, "get", "?limit=1").json()["items"]) == 1


def test_an_unknown_state_filter_is_422_naming_it(api, world):
    response = api(world.secretary, "get", "?state=lost")
    assert response.status_code == 422 and response.json()["field"] == "state"


def test_a_territory_filter_outside_my_area_is_404(api, world):
    assert api(world.grid_chief_a, "get", f"?territory={world.grid_b.pk}").status_code == 404
    assert api(world.secretary, "get", f"?territory={world.grid_a.pk}").status_code == 200


def _list_queries(api, world, n):
    for i in range(n - Case.objects.count()):
        case = _case(world, title=f"{i}")
        if i % 3 == 0:
            services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    with CaptureQueriesContext(connection) as queries:
        body = api(world.secretary, "get", "?limit=100").json()
    assert len(body["items"]) == n
    return len(queries)


def test_the_list_costs_the_same_queries_for_5_cases_as_for_50(api, world):
    api(world.secretary, "get", "")  # the token row is made outside the measured calls
    assert _list_queries(api, world, 5) == _list_queries(api, world, 50)


def test_the_handlers_list_costs_the_same_queries_for_5_cases_as_for_50(api, world):
    def measure(n):
        while CaseAssignment.objects.count() < n:
            case = _case(world, code="water")
            services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
        with CaptureQueriesContext(connection) as queries:
            assert len(api(world.handler, "get", "?limit=100").json()["items"]) == n
        return len(queries)

    api(world.handler, "get", "")
    assert measure(5) == measure(50)


def test_my_queue_is_due_soonest_first_with_overdue_marked(api, world):
    normal = _case(world, title="normal")
    emergency = _case(world, title="emergency", urgency="emergency")
    body = api(world.grid_chief_a, "get", "/queue").json()
    assert [c["id"] for c in body] == [emergency.pk, normal.pk]
    assert not any(c["overdue"] for c in body)
    with clock.moved(dt.timedelta(hours=2)):
        body = api(world.grid_chief_a, "get", "/queue").json()
    assert [c["overdue"] for c in body] == [True, False]


def test_the_queue_is_refused_to_someone_who_handles_nothing(api, world):
    assert api(world.clerk, "get", "/queue").status_code == 403


def test_one_case_shows_staff_the_internal_timeline_deadlines_and_departments(api, world):
    case = _case(world, code="water")
    services.case_comment(actor=world.secretary, case=case, note="先电话联系")
    services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    body = api(world.secretary, "get", f"/{case.pk}").json()
    assert [(e["action"], e["public"]) for e in body["timeline"]] == [
        ("submit", True),
        ("comment", False),
        ("dispatch", True),
    ]
    assert body["departments"] == [
        {
            "department_id": world.department.pk,
            "department": "县水务局",
            "lead": True,
            "active": True,
            "assigned_at": body["departments"][0]["assigned_at"],
            "finished_at": None,
        }
    ]
    assert body["tier"] == "department" and body["dispatched"] is True
    running = sorted((d["round"], d["kind"]) for d in body["deadlines"] if d["cancelled_at"] is None)
    assert running == [(2, "resolve"), (2, "respond")]  # nobody has accepted it yet
    assert "resolve" in api(world.handler, "get", f"/{case.pk}").json()["actions"]


def test_a_case_elsewhere_is_404_and_a_missing_one_too(api, world):
    case = _case(world)
    assert api(world.grid_chief_b, "get", f"/{case.pk}").status_code == 404
    assert api(world.grid_chief_a, "get", "/999999").status_code == 404


# --- Workflow actions -------------------------------------------------------------------------------


def test_respond_escalate_dispatch_resolve_and_rate_through_the_api(api, world):
    case = _case(world, code="water")  # starts at the community tier
    url = f"/{case.pk}"
    assert api(world.secretary, "post", f"{url}/respond", data={"note": "收到"}).json()["state"] == "handling"
    body = api(world.secretary, "post", f"{url}/escalate", data={"note": "需要镇里协调"}).json()
    assert body["tier"] == "town"
    body = api(
        world.town_officer, "post", f"{url}/dispatch", data={"departments": [world.department.pk]}
    ).json()
    assert body["tier"] == "department"
    body = api(world.handler, "post", f"{url}/resolve", data={"note": "管道已修复"}).json()
    assert (body["state"], body["settled_tier"], body["on_the_spot"]) == ("resolved", "department", False)
    body = api(world.secretary, "post", f"{url}/rate", data={"rating": "satisfied", "comment": "好"})
    assert body.status_code == 403  # the call-back at the department tier is the town's
    body = api(world.town_officer, "post", f"{url}/rate", data={"rating": "satisfied"}).json()
    assert body["state"] == "closed" and body["rating"] == "satisfied"


def test_return_moves_the_case_one_tier_down(api, world):
    case = _case(world, code="water")
    body = api(world.secretary, "post", f"/{case.pk}/return", data={"note": "网格可以处理"}).json()
    assert body["tier"] == "grid" and body["timeline"][-1]["note"] == "网格可以处理"


def test_resolve_on_the_spot(api, world):
    case = _case(world)
    body = api(world.grid_chief_a, "post", f"/{case.pk}/resolve", data={"note": "当场清理"}).json()
    assert body["on_the_spot"] is True and body["state"] == "resolved"


def test_an_unsatisfied_rating_reopens_the_case(api, world):
    case = _case(world)
    services.case_resolve(actor=world.grid_chief_a, case=case, note="已清理")
    body = api(world.grid_chief_a, "post", f"/{case.pk}/rate", data={"rating": "unsatisfied"}).json()
    assert (body["state"], body["reopen_count"]) == ("handling", 1)


def test_merge_by_tracking_code(api, world):
    target = _case(world, title="原件")
    duplicate = _case(world, title="重复")
    body = api(
        world.grid_chief_a, "post", f"/{duplicate.pk}/merge", data={"into": target.code, "note": "同一件事"}
    ).json()
    assert (body["state"], body["merged_into"]) == ("merged", target.code)


def test_merge_into_a_case_in_another_grid_reads_as_unknown(api, world):
    mine = _case(world)
    theirs = _case(world, actor=world.secretary, house=world.households["b"].house)
    response = api(
        world.grid_chief_a, "post", f"/{mine.pk}/merge", data={"into": theirs.code, "note": "重复"}
    )
    assert response.status_code == 400 and response.json()["field"] == "into"
    missing = api(world.grid_chief_a, "post", f"/{mine.pk}/merge", data={"into": "CNOPE", "note": "重复"})
    assert missing.json()["message"] == response.json()["message"]
    assert Case.objects.get(pk=mine.pk).state == State.RECEIVED


def test_an_extension_is_asked_for_and_decided_by_the_tier_above(api, world):
    case = _case(world)
    response = api(world.grid_chief_a, "post", f"/{case.pk}/extensions", data={"days": 3, "reason": "等材料"})
    assert response.status_code == 201
    ext = response.json()
    assert (ext["status"], ext["days"], ext["requested_by"]) == ("pending", 3, "grid_chief_a")
    url = f"/{case.pk}/extensions/{ext['id']}/decide"
    assert api(world.grid_chief_a, "post", url, data={"approve": True}).status_code == 403
    decided = api(world.secretary, "post", url, data={"approve": True, "note": "同意"}).json()
    assert decided["status"] == "approved" and decided["decided_by"] == "secretary"
    again = api(world.secretary, "post", url, data={"approve": False})
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"


def test_an_extension_of_another_case_is_404(api, world):
    case, other = _case(world), _case(world)
    ext = services.case_extension_request(actor=world.grid_chief_a, case=other, days=2, note="等")
    url = f"/{case.pk}/extensions/{ext.pk}/decide"
    assert api(world.secretary, "post", url, data={"approve": True}).status_code == 404
    assert Extension.objects.get(pk=ext.pk).status == "pending"


def test_a_bad_extension_length_names_the_field(api, world):
    case = _case(world)
    response = api(world.grid_chief_a, "post", f"/{case.pk}/extensions", data={"days": 90, "reason": "久"})
    assert response.status_code == 400 and response.json()["field"] == "days"


def test_a_comment_is_an_internal_timeline_entry(api, world):
    case = _case(world)
    response = api(world.grid_chief_a, "post", f"/{case.pk}/comments", data={"note": "已电话联系"})
    assert response.status_code == 201
    assert (response.json()["action"], response.json()["public"]) == ("comment", False)


def test_an_action_the_state_forbids_is_409_and_changes_nothing(api, world):
    case = _case(world)
    response = api(world.grid_chief_a, "post", f"/{case.pk}/rate", data={"rating": "satisfied"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED and case.events.count() == 1


def test_escalating_from_the_town_is_409_saying_to_dispatch(api, world):
    case = _case(world, code="illegal_construction")
    assert case.tier == Tier.TOWN
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    response = api(world.town_officer, "post", f"/{case.pk}/escalate", data={"note": "上报"}, headers=english)
    assert response.status_code == 409 and "dispatch" in response.json()["message"]
    assert Case.objects.get(pk=case.pk).tier == Tier.TOWN


def test_a_missing_note_is_400_or_422_naming_it(api, world):
    case = _case(world)
    blank = api(world.grid_chief_a, "post", f"/{case.pk}/escalate", data={"note": "  "})
    assert blank.status_code == 400 and blank.json()["field"] == "note"
    missing = api(world.grid_chief_a, "post", f"/{case.pk}/escalate", data={})
    assert missing.status_code == 422 and missing.json()["field"] == "note"
    assert Case.objects.get(pk=case.pk).tier == Tier.GRID


def test_a_bad_rating_is_422(api, world):
    case = _case(world)
    services.case_resolve(actor=world.grid_chief_a, case=case, note="好了")
    response = api(world.grid_chief_a, "post", f"/{case.pk}/rate", data={"rating": "great"})
    assert response.status_code == 422 and response.json()["field"] == "rating"


def test_acting_at_a_tier_above_mine_is_403_and_elsewhere_404(api, world):
    case = _case(world, code="water")  # community tier, in grid A
    assert api(world.grid_chief_a, "get", f"/{case.pk}").status_code == 200
    assert api(world.grid_chief_a, "post", f"/{case.pk}/respond", data={}).status_code == 403
    assert api(world.grid_chief_b, "post", f"/{case.pk}/respond", data={}).status_code == 404
    assert api(world.outsider, "post", f"/{case.pk}/respond", data={}).status_code == 404
    assert Case.objects.get(pk=case.pk).state == State.RECEIVED


def test_dispatch_needs_known_departments_that_serve_the_place(api, world):
    case = _case(world, code="water")
    url = f"/{case.pk}/dispatch"
    unknown = api(world.secretary, "post", url, data={"departments": [987654]})
    assert unknown.status_code == 400 and unknown.json()["field"] == "departments"
    empty = api(world.secretary, "post", url, data={"departments": []})
    assert empty.status_code == 400 and empty.json()["field"] == "departments"
    elsewhere = orgs_services.organisation_create(
        actor=None, kind="department", name="另一镇供水站", territory=world.c2, categories=["water"]
    )
    far = api(world.secretary, "post", url, data={"departments": [elsewhere.pk]})
    assert far.status_code == 400 and far.json()["field"] == "departments"
    assert (
        api(world.grid_chief_a, "post", url, data={"departments": [world.department.pk]}).status_code == 403
    )
    assert Case.objects.get(pk=case.pk).tier == Tier.COMMUNITY


# --- The documentation ------------------------------------------------------------------------------


def test_openapi_documents_every_error_of_every_action(client):
    schema = client.get("/api/v1/openapi.json").json()
    actions = [
        (path, op)
        for path, ops in schema["paths"].items()
        if path.startswith("/api/v1/cases/{case_id}/")
        for method, op in ops.items()
        if method == "post"
    ]
    assert len(actions) == len(workflow.ACTIONS)  # one endpoint per workflow action
    for path, op in actions:
        assert {"400", "401", "403", "404", "409", "422"} <= set(op["responses"]), path
        assert op["responses"]["409"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    submit = schema["paths"]["/api/v1/cases"]["post"]
    assert {"200", "201", "400", "401", "403", "422"} <= set(submit["responses"])
    assert "Idempotency-Key" in {p["name"] for p in submit["parameters"]}
