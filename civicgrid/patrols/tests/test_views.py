"""The patrol pages: each renders for the people it is for, and a tap or a form does what it says."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse

from civicgrid.cases.models import Case
from civicgrid.patrols import services
from civicgrid.patrols.models import Attendance, PatrolFinding, PatrolTeam

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 3), (20, 160, 60)).save(out, "PNG")
    return out.getvalue()


PNG = _png()  # a real picture: every photo is decoded to strip its metadata


def test_every_page_renders_for_the_team_leader(patrol, client_for, categories):
    shift = patrol.plan()
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.leader, shift=shift, member=patrol.leader_member)
        finding = services.finding_record(
            actor=patrol.leader, shift=shift, member=patrol.leader_member, description="路灯不亮"
        )
        c = client_for(patrol.leader)
        for url in [
            reverse("patrols:team_list"),
            reverse("patrols:team_detail", args=[patrol.team.pk]),
            reverse("patrols:team_edit", args=[patrol.team.pk]),
            reverse("patrols:team_hours", args=[patrol.team.pk]),
            reverse("patrols:shift_plan", args=[patrol.team.pk]),
            reverse("patrols:shift_list"),
            reverse("patrols:shift_detail", args=[shift.pk]),
            reverse("patrols:finding_list") + "?open=1",
            reverse("patrols:finding_detail", args=[finding.pk]),
        ]:
            assert c.get(url).status_code == 200, url


def test_the_community_pages_render_for_the_secretary(patrol, world, client_for):
    c = client_for(world.secretary)
    assert c.get(reverse("patrols:team_create")).status_code == 200
    response = c.get(reverse("patrols:hours") + f"?territory={world.c1.pk}&period=week")
    assert response.status_code == 200
    assert patrol.team.name in response.content.decode()


def test_the_secretary_sets_up_a_team_from_the_form(world, client_for):
    response = client_for(world.secretary).post(
        reverse("patrols:team_create"), {"territory": world.grid_a.pk, "name": "夜巡队", "description": ""}
    )
    team = PatrolTeam.objects.get(name="夜巡队")
    assert response.status_code == 302 and team.territory_path == world.grid_a.path


def test_a_team_without_a_name_is_refused_on_the_field(world, client_for):
    response = client_for(world.secretary).post(
        reverse("patrols:team_create"), {"territory": world.grid_a.pk, "name": " "}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["name"]


def test_a_member_checks_in_with_one_tap_and_is_sent_back_to_today(patrol, client_for):
    shift = patrol.plan()
    with patrol.later(HOUR):
        response = client_for(patrol.volunteer).post(
            reverse("patrols:check_in", args=[shift.pk]), {"lon": "", "lat": "", "next": "/today/"}
        )
    assert response.status_code == 302 and response["Location"] == "/today/"
    assert Attendance.objects.get(shift=shift, member=patrol.me).checked_in_at == patrol.now + HOUR


def test_a_second_tap_says_why_it_is_refused(patrol, client_for):
    shift = patrol.plan()
    c = client_for(patrol.volunteer)
    with patrol.later(HOUR):
        c.post(reverse("patrols:check_in", args=[shift.pk]))
        response = c.post(reverse("patrols:check_in", args=[shift.pk]), follow=True)
    assert "已签到" in response.content.decode() or "already checked in" in response.content.decode()


def test_a_next_pointing_elsewhere_is_ignored(patrol, client_for):
    shift = patrol.plan()
    with patrol.later(HOUR):
        response = client_for(patrol.volunteer).post(
            reverse("patrols:check_in", args=[shift.pk]), {"next": "https://evil.example/"}
        )
    assert response["Location"] == reverse("patrols:shift_detail", args=[shift.pk])


def test_a_finding_with_a_photo_is_raised_as_a_case_in_the_same_step(patrol, client_for, categories):
    from django.core.files.uploadedfile import SimpleUploadedFile

    shift = patrol.plan()
    c = client_for(patrol.volunteer)
    with patrol.later(HOUR):
        c.post(reverse("patrols:check_in", args=[shift.pk]))
        response = c.post(
            reverse("patrols:finding_record", args=[shift.pk]),
            {
                "description": "井盖缺失",
                "place": "A1单元门口",
                "raise_case": "on",
                "category": "roads",
                "photo": SimpleUploadedFile("p.png", PNG, content_type="image/png"),
            },
        )
    assert response.status_code == 302
    finding = PatrolFinding.objects.get()
    assert finding.case.category.code == "roads" and finding.case.attachments.count() == 1
    photo = c.get(reverse("patrols:finding_photo", args=[finding.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"


def test_a_finding_raised_without_a_category_keeps_what_was_typed(patrol, client_for, categories):
    shift = patrol.plan()
    c = client_for(patrol.volunteer)
    with patrol.later(HOUR):
        c.post(reverse("patrols:check_in", args=[shift.pk]))
        response = c.post(
            reverse("patrols:finding_record", args=[shift.pk]),
            {"description": "井盖缺失", "raise_case": "on"},
        )
    assert response.status_code == 400
    form = response.context["finding_form"]
    assert form.errors["category"] and form["description"].value() == "井盖缺失"
    assert not Case.objects.exists()


def test_a_night_shift_is_planned_from_a_day_and_two_clock_times(patrol, client_for):
    day = (patrol.now + dt.timedelta(days=1)).date()
    response = client_for(patrol.leader).post(
        reverse("patrols:shift_plan", args=[patrol.team.pk]),
        {"day": day.isoformat(), "start": "22:00", "end": "02:00", "members": [patrol.me.pk]},
    )
    assert response.status_code == 302
    shift = patrol.team.shifts.get()
    assert shift.ends_at - shift.starts_at == 4 * HOUR
    assert list(shift.attendances.values_list("member_id", flat=True)) == [patrol.me.pk]


def test_the_list_pages_cost_the_same_for_a_few_rows_or_many(patrol, world, client_for, categories):
    """Other modules add their own badges to the menu, so each page is measured against itself."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = patrol.plan()
    pages = [
        (patrol.leader, reverse("patrols:team_list")),
        (patrol.leader, reverse("patrols:team_detail", args=[patrol.team.pk])),
        (patrol.leader, reverse("patrols:shift_list")),
        (patrol.leader, reverse("patrols:shift_detail", args=[first.pk])),
        (patrol.leader, reverse("patrols:finding_list")),
        (patrol.leader, reverse("patrols:team_hours", args=[patrol.team.pk])),
        (world.secretary, reverse("patrols:hours")),
    ]
    clients = {u.pk: client_for(u) for u in (patrol.leader, world.secretary)}

    def counts() -> list[int]:
        out = []
        for user, url in pages:
            clients[user.pk].get(url)  # warm the per-process caches first
            with CaptureQueriesContext(connection) as ctx:
                assert clients[user.pk].get(url).status_code == 200, url
            out.append(len(ctx))
        return out

    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=first, member=patrol.me)
        services.finding_record(actor=patrol.volunteer, shift=first, member=patrol.me, description="0")
        few = counts()
        for i in range(5):
            services.member_add(actor=patrol.leader, team=patrol.team, name=f"居民{i}")
            services.finding_record(actor=patrol.volunteer, shift=first, member=patrol.me, description=f"{i}")
            services.team_create(actor=world.secretary, territory=world.grid_a, name=f"队{i}")
        services.attendance_check_in(actor=patrol.leader, shift=first, member=patrol.elder)
    for i in range(5):
        patrol.plan(start_in=(i + 2) * HOUR)
    with patrol.later(HOUR):
        assert counts() == few


def test_the_secretary_retires_a_team_and_it_leaves_the_list(patrol, world, client_for):
    c = client_for(world.secretary)
    assert c.post(reverse("patrols:team_retire", args=[patrol.team.pk])).status_code == 302
    assert patrol.team.pk not in [t.pk for t in c.get(reverse("patrols:team_list")).context["page"].rows]
    assert (
        client_for(patrol.leader).post(reverse("patrols:team_retire", args=[patrol.team_b.pk])).status_code
        == 404
    )
