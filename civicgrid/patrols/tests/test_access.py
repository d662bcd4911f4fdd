"""Who sees what: 404 outside the subtree (sibling grids, codes sharing a prefix), 403 inside without it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from civicgrid.accounts.roles import Role
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import selectors, services
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def test_a_team_on_sibling_grid_b_does_not_exist_for_the_grid_a_chief(patrol, world, client_for):
    url = reverse("patrols:team_detail", args=[patrol.team_b.pk])
    assert client_for(world.grid_chief_a).get(url).status_code == 404


def test_a_team_on_grid_a_does_not_exist_for_a_volunteer_of_grid_b(patrol, client_for):
    url = reverse("patrols:team_detail", args=[patrol.team.pk])
    assert client_for(patrol.volunteer_b).get(url).status_code == 404


def test_grid_c_whose_code_shares_a_prefix_sees_no_grid_a_team(patrol, world, client_for):
    chief_c = make_user("chief_c", Role.GRID_CHIEF, world.grid_c)
    assert client_for(chief_c).get(reverse("patrols:team_detail", args=[patrol.team.pk])).status_code == 404
    assert selectors.team_list_for(chief_c).rows == []


def test_a_volunteer_of_the_grid_not_on_the_team_is_forbidden(patrol, client_for):
    url = reverse("patrols:team_detail", args=[patrol.team.pk])
    assert client_for(patrol.idle_volunteer).get(url).status_code == 403


def test_the_department_handler_over_the_county_is_forbidden(patrol, world, client_for):
    url = reverse("patrols:team_detail", args=[patrol.team.pk])
    assert client_for(world.handler).get(url).status_code == 403
    assert client_for(world.handler).get(reverse("patrols:team_list")).status_code == 403


def test_the_grid_worker_sees_the_team_without_being_on_it(patrol, world, client_for):
    url = reverse("patrols:team_detail", args=[patrol.team.pk])
    assert client_for(world.grid_worker_a).get(url).status_code == 200


def test_a_shift_of_grid_b_does_not_exist_for_a_grid_a_member(patrol, client_for):
    shift = patrol.plan(team=patrol.team_b, members=[])
    with patrol.later(HOUR):
        response = client_for(patrol.volunteer).post(reverse("patrols:check_in", args=[shift.pk]))
    assert response.status_code == 404


def test_a_member_cannot_check_in_another_member_through_the_page(patrol, client_for):
    shift = patrol.plan()
    with patrol.later(HOUR):
        response = client_for(patrol.volunteer).post(
            reverse("patrols:check_in", args=[shift.pk]), {"member": patrol.leader_member.pk}
        )
    assert response.status_code == 403


def test_someone_in_the_grid_but_not_on_the_team_cannot_check_in(patrol, client_for):
    shift = patrol.plan()
    with patrol.later(HOUR):
        response = client_for(patrol.idle_volunteer).post(reverse("patrols:check_in", args=[shift.pk]))
    assert response.status_code == 403


def test_a_plain_member_cannot_add_members_or_plan_shifts(patrol, client_for):
    c = client_for(patrol.volunteer)
    assert c.post(reverse("patrols:member_add", args=[patrol.team.pk]), {"name": "李四"}).status_code == 403
    assert c.get(reverse("patrols:shift_plan", args=[patrol.team.pk])).status_code == 403


def test_the_leader_manages_their_team_but_not_the_neighbours(patrol, client_for):
    with pytest.raises(Http404):
        services.member_add(actor=patrol.leader, team=patrol.team_b, name="李四")
    assert services.member_add(actor=patrol.leader, team=patrol.team, name="李四").name == "李四"


def test_only_community_staff_choose_a_new_leader(patrol, world):
    with pytest.raises(ApplicationError) as exc:
        services.team_update(
            actor=patrol.leader, team=patrol.team, name=patrol.team.name, leader=patrol.volunteer
        )
    assert exc.value.field == "leader"
    team = services.team_update(
        actor=world.secretary, team=patrol.team, name=patrol.team.name, leader=patrol.volunteer
    )
    assert team.leader == patrol.volunteer


def test_an_account_without_a_patrol_role_here_cannot_join(patrol, world):
    with pytest.raises(ApplicationError) as exc:
        services.member_add(actor=patrol.leader, team=patrol.team, user=patrol.volunteer_b)
    assert exc.value.field == "user"
    with pytest.raises(ApplicationError):
        services.member_add(actor=patrol.leader, team=patrol.team, user=world.outsider)


def test_a_grid_worker_cannot_set_up_a_team_and_a_grid_chief_only_on_their_grid(world):
    with pytest.raises(PermissionDenied):
        services.team_create(actor=world.grid_worker_a, territory=world.grid_a, name="一网格队")
    for place in (world.c1, world.grid_b):  # above and beside the chief's grid: outside their subtree
        with pytest.raises(Http404):
            services.team_create(actor=world.grid_chief_a, territory=place, name="队")
    assert services.team_create(actor=world.grid_chief_a, territory=world.grid_a, name="一网格队").pk


def test_findings_of_another_grid_are_not_listed(patrol, world, categories):
    shift = patrol.plan(team=patrol.team_b, members=[patrol.team_b.members.get()])
    with patrol.later(HOUR):
        services.attendance_check_in(
            actor=patrol.volunteer_b, shift=shift, member=shift.attendances.get().member
        )
        services.finding_record(
            actor=patrol.volunteer_b,
            shift=shift,
            member=shift.attendances.get().member,
            description="乱堆杂物",
        )
    assert selectors.finding_list_for(world.grid_chief_a).rows == []
    assert len(selectors.finding_list_for(world.grid_chief_b).rows) == 1
    assert len(selectors.finding_list_for(world.secretary).rows) == 1


def test_the_community_hours_view_refuses_a_place_outside(patrol, world, client_for):
    url = reverse("patrols:hours") + f"?territory={world.c2.pk}"
    assert client_for(world.grid_chief_a).get(url).status_code == 404
