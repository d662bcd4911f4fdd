"""Findings on a shift, and raising one as a case: once, reported by the member, placed where it was found."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.cases.models import Case, Category, State
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import selectors, services

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def on_shift(patrol):
    shift = patrol.plan(members=[patrol.me, patrol.leader_member, patrol.elder])
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
    return shift


def test_a_finding_needs_a_check_in_first(patrol, categories):
    shift = patrol.plan()
    with patrol.later(HOUR), pytest.raises(ApplicationError) as exc:
        services.finding_record(actor=patrol.volunteer, shift=shift, member=patrol.me, description="路灯不亮")
    assert exc.value.code == "not_checked_in"


def test_a_finding_raised_at_once_is_a_case_reported_by_the_member(patrol, on_shift, categories, world):
    with patrol.later(HOUR):
        finding = services.finding_record(
            actor=patrol.volunteer,
            shift=on_shift,
            member=patrol.me,
            description="井盖缺失，夜间危险",
            place="A1单元门口",
            lon=108.02,
            lat=27.02,
            raise_case=True,
            category=Category.objects.get(code="roads"),
        )
    case = finding.case
    assert case.state == State.RECEIVED and case.channel == "patrol"
    assert case.reporter_user == patrol.volunteer and case.reporter_name == "volunteer_a"
    assert case.territory == world.grid_a and case.address == "A1单元门口"
    assert case.description == "井盖缺失，夜间危险"


def test_without_a_point_the_case_goes_to_the_area_of_the_shift_or_the_team(patrol, categories, world):
    shift = services.shift_plan(
        actor=patrol.leader,
        team=patrol.team,
        starts_at=patrol.now + HOUR,
        ends_at=patrol.now + 2 * HOUR,
        area=patrol.area,
        members=[patrol.me],
    )
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.volunteer, shift=shift, member=patrol.me)
        finding = services.finding_record(
            actor=patrol.volunteer, shift=shift, member=patrol.me, description="x"
        )
    assert finding.territory == world.unit_a1 and finding.territory_path == patrol.team.territory_path


def test_a_point_outside_every_grid_is_refused_on_the_field(patrol, on_shift):
    with patrol.later(HOUR), pytest.raises(ApplicationError) as exc:
        services.finding_record(
            actor=patrol.volunteer, shift=on_shift, member=patrol.me, description="x", lon=100.0, lat=20.0
        )
    assert exc.value.field == "lon"


def test_a_finding_is_raised_as_a_case_once(patrol, on_shift, categories):
    with patrol.later(HOUR):
        finding = services.finding_record(
            actor=patrol.volunteer, shift=on_shift, member=patrol.me, description="x"
        )
        services.finding_raise(
            actor=patrol.volunteer, finding=finding, category=Category.objects.get(code="power")
        )
        with pytest.raises(ApplicationError) as exc:
            services.finding_raise(
                actor=patrol.volunteer, finding=finding, category=Category.objects.get(code="power")
            )
    assert exc.value.code == "raised" and Case.objects.count() == 1


def test_the_leader_raises_a_finding_of_a_member_without_an_account(patrol, on_shift, categories):
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.leader, shift=on_shift, member=patrol.elder)
        finding = services.finding_record(
            actor=patrol.leader, shift=on_shift, member=patrol.elder, description="楼道堆放杂物"
        )
        case = services.finding_raise(
            actor=patrol.leader, finding=finding, category=Category.objects.get(code="sanitation")
        )
    assert case.reporter_user == patrol.leader and case.reporter_name == "张大爷"


def test_another_member_cannot_raise_my_finding(patrol, on_shift, categories, world):
    from django.core.exceptions import PermissionDenied

    other = services.member_add(actor=patrol.leader, team=patrol.team, user=patrol.idle_volunteer)
    with patrol.later(HOUR):
        services.attendance_check_in(actor=patrol.idle_volunteer, shift=on_shift, member=other)
        finding = services.finding_record(
            actor=patrol.volunteer, shift=on_shift, member=patrol.me, description="x"
        )
        with pytest.raises(PermissionDenied):
            services.finding_raise(
                actor=patrol.idle_volunteer, finding=finding, category=Category.objects.get(code="power")
            )


def test_a_settled_finding_is_no_longer_open_and_cannot_become_a_case(patrol, on_shift, categories):
    with patrol.later(HOUR):
        finding = services.finding_record(
            actor=patrol.volunteer, shift=on_shift, member=patrol.me, description="x"
        )
        with pytest.raises(ApplicationError):
            services.finding_settle(actor=patrol.volunteer, finding=finding, note=" ")
        services.finding_settle(actor=patrol.volunteer, finding=finding, note="当场劝离")
        assert selectors.finding_list_for(patrol.leader, open_only=True).rows == []
        with pytest.raises(ApplicationError) as exc:
            services.finding_raise(
                actor=patrol.volunteer, finding=finding, category=Category.objects.get(code="power")
            )
    assert exc.value.code == "settled"


def test_a_route_must_be_valid_geojson_inside_the_teams_place(patrol, world):
    line = {"type": "LineString", "coordinates": [[108.01, 27.01], [108.02, 27.02]]}
    area = services.area_add(actor=patrol.leader, team=patrol.team, name="主街", route=line)
    assert area.route == line
    bad = [
        {"type": "Point", "coordinates": [108.01, 27.01]},
        {"type": "LineString", "coordinates": [[108.01, 27.01], [108.01, 27.01]]},
        {
            "type": "Polygon",
            "coordinates": [[[108.0, 27.0], [108.01, 27.01], [108.0, 27.01], [108.01, 27.0], [108.0, 27.0]]],
        },
        {"type": "LineString", "coordinates": [[120.0, 30.0], [120.1, 30.1]]},
    ]
    for route in bad:
        with pytest.raises(ApplicationError) as exc:
            services.area_add(actor=patrol.leader, team=patrol.team, name="x", route=route)
        assert exc.value.field == "route", route


def test_an_area_must_be_a_grid_or_unit_of_the_teams_place(patrol, world):
    for place in (world.unit_b1, world.c1):
        with pytest.raises(ApplicationError) as exc:
            services.area_add(actor=patrol.leader, team=patrol.team, territory=place)
        assert exc.value.field == "territory"
