"""The patrols section of the today page: my shifts today with the taps, shifts I may join, open findings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from civicgrid.patrols import services
from civicgrid.patrols.views.today import today_context

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def test_my_shift_today_shows_the_check_in_tap_then_the_check_out_tap(patrol, rf):
    shift = patrol.plan()
    with patrol.later(HOUR):
        context = today_context(patrol.volunteer)
        assert [a.shift for a in context["mine"]] == [shift]
        html = render_to_string("patrols/_today.html", context)
        assert reverse("patrols:check_in", args=[shift.pk]) in html and 'value="/today/"' in html
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
        html = render_to_string("patrols/_today.html", today_context(patrol.volunteer))
    assert reverse("patrols:check_out", args=[shift.pk]) in html


def test_a_shift_of_my_team_i_am_not_on_is_offered_to_join(patrol):
    shift = patrol.plan(members=[patrol.leader_member])
    with patrol.later(HOUR):
        context = today_context(patrol.volunteer)
    assert context["mine"] == [] and context["joinable"] == [shift]


def test_tomorrows_shift_is_not_on_today_and_the_section_hides(patrol):
    patrol.plan(start_in=dt.timedelta(days=1))
    assert today_context(patrol.idle_volunteer) is None
    assert today_context(patrol.volunteer) is None


def test_the_leader_sees_open_findings_of_the_team(patrol, categories):
    shift = patrol.plan()
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
        finding = services.finding_record(
            actor=patrol.volunteer, shift=shift, member=patrol.me, description="x"
        )
        assert today_context(patrol.leader)["findings"] == [finding]
        assert today_context(patrol.volunteer_b) is None


def test_the_section_is_a_few_queries(patrol, django_assert_max_num_queries):
    for i in range(5):
        patrol.plan(start_in=(i + 1) * HOUR)
    with patrol.later(HOUR), django_assert_max_num_queries(5):
        render_to_string("patrols/_today.html", today_context(patrol.volunteer))


def test_the_today_page_carries_the_section(patrol, client_for):
    patrol.plan()
    with patrol.later(HOUR):
        response = client_for(patrol.volunteer).get("/today/")
    assert 'id="today-patrols"' in response.content.decode()
