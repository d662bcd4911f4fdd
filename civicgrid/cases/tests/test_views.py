"""Staff case pages, persona by persona: the queue, the register, a case page, the intake form."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseEvent, Category
from civicgrid.cases.views import time_left
from civicgrid.core import clock
from civicgrid.orgs import services as orgs_services

pytestmark = pytest.mark.django_db


def _image(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 6), (30, 120, 200)).save(out, kind)
    return out.getvalue()


PNG, JPEG = _image("PNG"), _image("JPEG")  # real pictures: every photo is decoded to strip its EXIF


@pytest.fixture(autouse=True)
def _media_and_english(settings, tmp_path):
    """Photos go to a temporary folder; pages are asserted in English, the source language."""
    settings.MEDIA_ROOT = tmp_path
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _submit(world, household="a", category="sanitation", **kw):
    defaults = {
        "actor": world.secretary,
        "channel": "walk_in",
        "category": Category.objects.get(code=category),
        "title": "垃圾没有清运",
        "description": "楼下的垃圾三天没人收",
        "house": world.households[household].house,
    }
    return services.case_submit(**{**defaults, **kw})


def _dispatched(world, **kw):
    case = _submit(world, **kw)
    case = services.case_escalate(actor=world.grid_chief_a, case=case, note="需要社区协调")
    return services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])


def _detail(case):
    return reverse("cases:case_detail", args=[case.pk])


def _act(client, case, action, **fields):
    data = {"action": action, **{f"{action}-{k}": v for k, v in fields.items()}}
    return client.post(reverse("cases:action", args=[case.pk]), data)


def _reload(case) -> Case:
    return Case.objects.get(pk=case.pk)


# --- The queue


def test_grid_chief_queue_lists_grid_a_cases_due_soonest_first(world, client_for):
    normal = _submit(world, title="普通")
    urgent = _submit(world, title="紧急", urgency="emergency")
    _submit(world, household="b", title="隔壁网格")
    response = client_for(world.grid_chief_a).get(reverse("cases:queue"))
    assert response.status_code == 200
    assert [c.pk for c in response.context["cases"]] == [urgent.pk, normal.pk]
    html = response.content.decode()
    assert "隔壁网格" not in html
    assert "h left" in html or "min left" in html


def test_an_empty_queue_says_so_once(world, client_for):
    client = client_for(world.grid_chief_a)
    empty = client.get(reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Nothing waiting for you" in empty and "due soonest first" not in empty
    _submit(world)
    one = client.get(reverse("cases:queue"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 open case waiting for you, due soonest first." in one


def test_an_overdue_case_is_marked_red_with_how_long_ago(world, client_for):
    case = _submit(world)
    due = case.deadlines.get(kind="respond").due_at
    with clock.frozen(due + dt.timedelta(days=2, hours=1)):
        response = client_for(world.grid_chief_a).get(reverse("cases:queue"))
    row = response.context["cases"][0]
    assert row.overdue and row.time_left == "overdue by 2 d"
    assert 'class="due badge overdue"' in response.content.decode()


def test_time_left_reads_in_minutes_hours_or_days():
    now = clock.now()
    assert time_left(now + dt.timedelta(minutes=30), now) == "30 min left"
    assert time_left(now + dt.timedelta(hours=3, minutes=50), now) == "3 h left"
    assert time_left(now + dt.timedelta(days=5, hours=2), now) == "5 d left"
    assert time_left(now - dt.timedelta(days=2, hours=3), now) == "overdue by 2 d"


def test_a_case_escalated_to_the_community_leaves_the_grid_queue_for_the_secretarys(world, client_for):
    case = _submit(world)
    services.case_escalate(actor=world.grid_chief_a, case=case, note="需要社区协调")
    grid = client_for(world.grid_chief_a).get(reverse("cases:queue")).context["cases"]
    community = client_for(world.secretary).get(reverse("cases:queue")).context["cases"]
    assert case.pk not in [c.pk for c in grid]
    assert case.pk in [c.pk for c in community]


def test_department_handler_queue_holds_only_what_was_dispatched_with_the_role(world, client_for):
    lead = _dispatched(world, title="主办的")
    _submit(world, title="没派的")
    other = orgs_services.organisation_create(
        actor=None, kind="department", name="县住建局", territory=world.county, categories=["roads"]
    )
    co = _submit(world, household="b", title="协办的")
    co = services.case_escalate(actor=world.grid_chief_b, case=co, note="上报")
    services.case_dispatch(actor=world.secretary, case=co, departments=[other, world.department])
    response = client_for(world.handler).get(reverse("cases:queue"))
    rows = {c.pk: c for c in response.context["cases"]}
    assert set(rows) == {lead.pk, co.pk}
    assert (rows[lead.pk].my_role, rows[co.pk].my_role) == ("lead", "co")
    html = response.content.decode()
    assert "没派的" not in html
    assert "my department leads" in html and "my department co-handles" in html


def test_the_queue_is_forbidden_to_who_handles_no_case(world, client_for):
    assert client_for(world.clerk).get(reverse("cases:queue")).status_code == 403
    assert client_for(world.outsider).get(reverse("cases:queue")).status_code == 403


def test_home_shows_the_queue_widget_which_loads_a_summary(world, client_for):
    _submit(world, title="首页可见")
    client = client_for(world.grid_chief_a)
    assert reverse("cases:queue") + "?widget=1" in client.get(reverse("home")).content.decode()
    summary = client.get(reverse("cases:queue"), {"widget": "1"}, HTTP_HX_REQUEST="true")
    assert summary.templates[0].name == "cases/_queue_summary.html"
    assert "首页可见" in summary.content.decode()
    assert "cases/_queue_widget.html" not in [
        t.name for t in client_for(world.clerk).get(reverse("home")).templates
    ]


# --- The register


def test_register_shows_the_grid_chief_only_grid_a(world, client_for):
    mine = _submit(world)
    _submit(world, household="b")
    _submit(world, household="c")
    page = client_for(world.grid_chief_a).get(reverse("cases:case_list")).context["page"]
    assert [c.pk for c in page.rows] == [mine.pk]


def test_register_rows_show_each_case_escaped_in_the_readers_language(world, client_for):
    case = _submit(world, title='<script>alert("x")</script> & 漏水', urgency="urgent")
    client = client_for(world.secretary)
    zh = client.get(reverse("cases:case_list"), headers={"accept-language": "zh-hans"}).text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 漏水" in zh and "<script>alert" not in zh
    assert f'href="{_detail(case)}"' in zh and f'data-code="{case.code}"' in zh
    client.post(reverse("set_language"), {"language": "en"})
    en = client.get(reverse("cases:case_list")).text
    assert '<span class="badge">received</span>' in en
    assert '<span class="badge urgent">urgent</span>' in en  # the badge's word; the form explains it
    assert '<span class="badge urgent">加急</span>' in zh
    assert timezone.localtime(case.created_at).strftime("%Y-%m-%d %H:%M") in en
    assert '<span class="badge">received</span>' not in zh  # the labels follow the reader's language


def test_register_filters_by_state_category_tier_channel_place_and_search(world, client_for):
    a = _submit(world)
    b = _submit(world, household="b", category="water", channel="wechat", title="停水了")
    closed = _submit(world, household="c")
    services.case_resolve(actor=world.secretary, case=closed, note="已清理")
    client = client_for(world.secretary)

    def shown(**query):
        return {c.pk for c in client.get(reverse("cases:case_list"), query).context["page"].rows}

    assert shown() == {a.pk, b.pk, closed.pk}
    assert shown(state="open") == {a.pk, b.pk}
    assert shown(state="resolved") == {closed.pk}
    assert shown(category="utilities") == {b.pk}  # a parent category finds its children's cases
    assert shown(tier="community") == {b.pk}
    assert shown(channel="wechat") == {b.pk}
    assert shown(territory=world.grid_a.pk) == {a.pk}
    assert shown(q=b.code.lower()) == {b.pk}
    assert shown(q="停水") == {b.pk}


def test_register_finds_overdue_cases(world, client_for):
    late = _submit(world, category="water")
    due = late.deadlines.get(kind="respond").due_at
    with clock.frozen(due + dt.timedelta(minutes=5)):
        on_time = _submit(world, household="b")
        rows = client_for(world.secretary).get(reverse("cases:case_list"), {"state": "overdue"})
    assert [c.pk for c in rows.context["page"].rows] == [late.pk]
    assert on_time.pk not in [c.pk for c in rows.context["page"].rows]


def test_register_filters_by_department(world, client_for):
    sent = _dispatched(world)
    _submit(world)
    response = client_for(world.town_officer).get(
        reverse("cases:case_list"), {"department": world.department.pk}
    )
    assert [c.pk for c in response.context["page"].rows] == [sent.pk]
    assert (world.department.pk, world.department.name) in response.context["departments"]


def test_register_refuses_a_place_outside_the_users_area(world, client_for):
    response = client_for(world.grid_chief_a).get(reverse("cases:case_list"), {"territory": world.grid_b.pk})
    assert response.status_code == 404


def test_register_loads_more_with_htmx_from_the_cursor(world, client_for):
    made = [_submit(world) for _ in range(27)]
    client = client_for(world.secretary)
    first = client.get(reverse("cases:case_list"))
    page = first.context["page"]
    assert len(page.rows) == 25 and page.has_more
    assert "Load more" in first.content.decode()
    more = client.get(reverse("cases:case_list"), {"after": page.next_cursor}, HTTP_HX_REQUEST="true")
    assert more.templates[0].name == "cases/_case_rows.html"
    seen = [c.pk for c in page.rows] + [c.pk for c in more.context["page"].rows]
    assert sorted(seen) == sorted(c.pk for c in made)


def test_department_handler_register_lists_only_dispatched_cases(world, client_for):
    sent = _dispatched(world)
    _submit(world)
    page = client_for(world.handler).get(reverse("cases:case_list")).context["page"]
    assert [c.pk for c in page.rows] == [sent.pk]


@pytest.mark.parametrize(
    ("name", "persona"), [("cases:queue", "town_officer"), ("cases:case_list", "secretary")]
)
def test_list_pages_make_the_same_number_of_queries_for_5_or_50_cases(world, client_for, name, persona):
    client = client_for(getattr(world, persona))

    def count(rows: int) -> int:
        client.get(reverse(name))  # warm per-process caches (templates, content types)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse(name))
        shown = response.context["cases"] if name == "cases:queue" else response.context["page"].rows
        assert len(shown) == rows
        return len(ctx.captured_queries)

    for _ in range(5):
        _dispatched(world)
    few = count(5)
    for _ in range(45):
        _dispatched(world)
    assert count(50 if name == "cases:queue" else 25) == few


# --- One case


def test_grid_chief_sees_grid_a_case_and_gets_404_for_grid_b(world, client_for):
    client = client_for(world.grid_chief_a)
    assert client.get(_detail(_submit(world))).status_code == 200
    assert client.get(_detail(_submit(world, household="b"))).status_code == 404
    assert client.get(_detail(_submit(world, household="c"))).status_code == 404  # code shares a prefix


def test_department_handler_sees_a_dispatched_case_and_404_otherwise(world, client_for):
    client = client_for(world.handler)
    assert client.get(_detail(_dispatched(world))).status_code == 200
    assert client.get(_detail(_submit(world))).status_code == 404


def test_outsider_gets_404_for_any_case(world, client_for):
    case = _submit(world)
    client = client_for(world.outsider)
    assert client.get(_detail(case)).status_code == 404
    assert _act(client, case, "respond").status_code == 404


def test_anonymous_visitor_is_sent_to_login(world, client):
    response = client.get(_detail(_submit(world)))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_detail_shows_the_reporter_to_staff_with_the_phone_masked(world, client_for):
    case = _submit(world, reporter_name="王五", reporter_phone="13912345678")
    html = client_for(world.grid_chief_a).get(_detail(case)).content.decode()
    assert "王五" in html
    assert "139****5678" in html and "13912345678" not in html


def test_an_anonymous_case_shows_anonymous_and_no_phone(world, client_for):
    case = _submit(world, reporter_name="王五", reporter_phone="13912345678", anonymous=True)
    response = client_for(world.grid_chief_a).get(_detail(case))
    html = response.content.decode()
    assert "王五" not in html and "5678" not in html
    assert '<dd id="reporter">anonymous</dd>' in html


def test_detail_shows_deadlines_departments_and_internal_entries_marked(world, client_for):
    case = _dispatched(world)
    services.case_comment(actor=world.handler, case=case, note="内部：已电话联系水务")
    html = client_for(world.secretary).get(_detail(case)).content.decode()
    assert world.department.name in html and "lead" in html
    assert 'data-status="cancelled"' in html and 'data-status="open"' in html  # past and open rounds
    assert 'class="internal" data-action="comment"' in html
    assert "内部：已电话联系水务" in html


def test_detail_offers_only_the_allowed_actions(world, client_for):
    case = _submit(world)
    worker = client_for(world.grid_worker_a).get(_detail(case)).context["actions"]
    secretary = client_for(world.secretary).get(_detail(case)).context["actions"]
    assert "dispatch" not in [a["name"] for a in worker]
    assert {"respond", "escalate", "resolve", "comment"} <= {a["name"] for a in worker}
    assert "dispatch" in [a["name"] for a in secretary]


def test_a_move_with_no_tier_to_go_to_is_not_offered(world, client_for):
    dispatched = _dispatched(world)
    names = [a["name"] for a in client_for(world.handler).get(_detail(dispatched)).context["actions"]]
    assert "escalate" not in names and "resolve" in names
    on_the_grid = _submit(world, house=None, territory=world.grid_a)  # no unit below to return it to
    names = [a["name"] for a in client_for(world.grid_chief_a).get(_detail(on_the_grid)).context["actions"]]
    assert "return" not in names and "escalate" in names


# --- Intake


def _intake_data(world, **kw):
    return {
        "channel": "neighbour_hotline",
        "category": "sanitation",
        "urgency": "",
        "title": "",
        "description": "楼道堆满杂物",
        "house_code": "",
        "territory": "",
        "lon": "",
        "lat": "",
        "address": "",
        "reporter_name": "张三",
        "reporter_phone": "13800001111",
        "idempotency_key": "call-1",
        **kw,
    }


def test_intake_form_is_keyboard_ready_with_a_fresh_key_each_time(world, client_for):
    client = client_for(world.secretary)
    first = client.get(reverse("cases:intake"))
    html = first.content.decode()
    assert first.status_code == 200
    assert 'name="channel"' in html and "autofocus" in html and 'accesskey="s"' in html
    assert (
        first.context["form"]["idempotency_key"].value()
        != client.get(reverse("cases:intake")).context["form"]["idempotency_key"].value()
    )
    places = dict(first.context["form"].fields["territory"].choices)
    assert world.grid_a.pk in places and world.unit_a1.pk in places and world.unit_x1.pk not in places


def test_operator_takes_in_a_call_by_house_code_and_gets_the_tracking_code(world, client_for):
    client = client_for(world.secretary)
    house = world.households["b"].house
    response = client.post(reverse("cases:intake"), _intake_data(world, house_code=house.house_code.lower()))
    assert response.status_code == 302
    case = Case.objects.get()
    assert (case.territory_id, case.channel, case.reporter_name) == (
        house.unit_id,
        "neighbour_hotline",
        "张三",
    )
    assert case.title == "楼道堆满杂物" and case.urgency == "normal"
    follow = client.get(response["Location"])
    assert follow.context["made"] == case
    assert case.code in follow.content.decode()
    assert follow.context["form"]["idempotency_key"].value() != "call-1"  # ready for the next call


def test_intake_by_place_and_by_point(world, client_for):
    client = client_for(world.secretary)
    client.post(reverse("cases:intake"), _intake_data(world, territory=world.grid_b.pk, idempotency_key="k1"))
    client.post(reverse("cases:intake"), _intake_data(world, lon="108.01", lat="27.01", idempotency_key="k2"))
    assert [c.territory_id for c in Case.objects.order_by("id")] == [world.grid_b.pk, world.grid_a.pk]


def test_the_same_idempotency_key_never_makes_a_second_case(world, client_for):
    client = client_for(world.secretary)
    data = _intake_data(world, territory=world.grid_a.pk)
    first = client.post(reverse("cases:intake"), data)
    second = client.post(reverse("cases:intake"), data)
    assert first.status_code == second.status_code == 302
    assert Case.objects.count() == 1
    assert first["Location"] == second["Location"]


def test_anonymous_intake_keeps_no_name_or_phone(world, client_for):
    client_for(world.secretary).post(
        reverse("cases:intake"), _intake_data(world, territory=world.grid_a.pk, anonymous="on")
    )
    case = Case.objects.get()
    assert case.anonymous and case.reporter_name == "" and not case.reporter_phone


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"description": " ", "territory": "PLACE"}, "description"),
        ({}, "territory"),
        ({"house_code": "HNOSUCH000"}, "house_code"),
        ({"category": "no_such"}, "category"),
        ({"lon": "108.01"}, "lat"),
        ({"lon": "120.0", "lat": "30.0"}, "lon"),
        ({"channel": "portal", "territory": "PLACE"}, "channel"),
        ({"reporter_phone": "abc-phone", "territory": "PLACE"}, "reporter_phone"),
    ],
)
def test_intake_errors_name_the_field_and_write_nothing(world, client_for, changes, field):
    data = _intake_data(world, **changes)
    if data.get("territory") == "PLACE":
        data["territory"] = world.grid_a.pk
    response = client_for(world.secretary).post(reverse("cases:intake"), data)
    assert response.status_code == 400
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert response.context["form"]["description"].value() == data["description"]  # kept as typed
    assert not Case.objects.exists() and not CaseEvent.objects.exists()


def test_a_house_outside_the_operators_area_is_not_found(world, client_for):
    outside = world.households["x"].house  # in the next village
    response = client_for(world.secretary).post(
        reverse("cases:intake"), _intake_data(world, house_code=outside.house_code)
    )
    assert response.status_code == 400 and response.context["form"].errors["house_code"]
    assert not Case.objects.exists()


def test_intake_is_forbidden_to_who_takes_in_no_case(world, client_for):
    assert client_for(world.handler).get(reverse("cases:intake")).status_code == 403
    assert client_for(world.outsider).post(reverse("cases:intake"), _intake_data(world)).status_code == 403
    assert not Case.objects.exists()
