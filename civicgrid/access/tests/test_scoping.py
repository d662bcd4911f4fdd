"""Who sees what, told through the personas: 404 outside one's subtrees, 403 inside without the right."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404

from civicgrid import access
from civicgrid.accounts import services as accounts_services
from civicgrid.accounts.models import User
from civicgrid.accounts.roles import Role
from civicgrid.audit.models import DataAccess
from civicgrid.core import clock, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.orgs.models import Organisation
from civicgrid.registry.models import Household, Resident

VIEW = "registry.view"


def visible(user, model=Household, perm=VIEW) -> set:
    return set(access.scope(user, model.objects.all(), perm))


def get(user, household, perm=VIEW):
    return access.get_for(user, Household.objects.all(), perm, pk=household.pk)


def hh(world, *keys) -> set:
    return {world.households[k] for k in keys}


def test_grid_chief_sees_the_households_of_the_grid(world):
    assert visible(world.grid_chief_a) == hh(world, "a")
    assert get(world.grid_chief_a, world.households["a"]) == world.households["a"]


def test_grid_chief_sees_the_residents_of_the_grid_only(world):
    assert visible(world.grid_chief_a, Resident) == set(world.households["a"].members.all())


def test_grid_chief_cannot_see_sibling_grid(world):
    with pytest.raises(Http404):
        get(world.grid_chief_a, world.households["b"])
    with pytest.raises(Http404):
        get(world.grid_chief_b, world.households["a"])
    assert visible(world.grid_chief_b) == hh(world, "b")


def test_grid_chief_cannot_see_a_grid_whose_code_extends_the_same_prefix(world):
    assert world.grid_c.code.startswith(world.grid_a.code[:-2])  # ...001 and ...010
    with pytest.raises(Http404):
        get(world.grid_chief_a, world.households["c"])


def test_grid_chief_cannot_see_another_community(world):
    with pytest.raises(Http404):
        get(world.grid_chief_a, world.households["x"])


def test_secretary_sees_the_whole_community_and_not_the_next_one(world):
    assert visible(world.secretary) == hh(world, "a", "b", "c")
    with pytest.raises(Http404):
        get(world.secretary, world.households["x"])


def test_town_officer_sees_both_communities(world):
    assert visible(world.town_officer) == hh(world, "a", "b", "c", "x")
    assert get(world.town_officer, world.households["x"]) == world.households["x"]


def test_outsider_sees_nothing_and_gets_404(world):
    assert visible(world.outsider) == set()
    assert visible(world.outsider, Resident) == set()
    for household in world.households.values():
        with pytest.raises(Http404):
            get(world.outsider, household)


def test_anonymous_sees_nothing(world):
    anonymous = AnonymousUser()
    assert visible(anonymous) == set()
    with pytest.raises(Http404):
        get(anonymous, world.households["a"])


def test_department_handler_is_forbidden_the_registry_inside_the_county(world):
    with pytest.raises(PermissionDenied):
        get(world.handler, world.households["a"])
    assert visible(world.handler) == set()
    assert access.covers(world.handler, world.households["x"].territory_path)


def test_department_handler_sees_organisations_it_may_see(world):
    assert world.department in set(access.scope(world.handler, Organisation.objects.all(), "orgs.view"))


def test_a_missing_object_is_404_even_for_a_superuser(world):
    boss = User.objects.create_superuser("boss", password="x-long-password")
    with pytest.raises(Http404):
        access.get_for(boss, Household.objects.all(), VIEW, pk=10**9)
    with pytest.raises(Http404):
        access.get_for(boss, Household.objects.all(), VIEW, pk="not-a-number")


def test_superuser_sees_everything(world):
    boss = User.objects.create_superuser("boss", password="x-long-password")
    assert visible(boss) == set(world.households.values())
    assert access.roots(boss) is None
    assert "registry.reveal" in access.perms_at(boss, world.grid_a.path)
    for household in world.households.values():
        assert get(boss, household, "registry.export") == household


def test_an_inactive_superuser_is_not_a_superuser(world):
    boss = User.objects.create_superuser("boss", password="x-long-password", is_active=False)
    assert visible(boss) == set()


def test_an_expired_assignment_grants_nothing(world):
    user = accounts_services.user_create(actor=None, username="former", password=None)
    accounts_services.role_assign(
        actor=None,
        user=user,
        role=Role.COMMUNITY_SECRETARY,
        territory=world.c1,
        valid_to=clock.now() - dt.timedelta(days=1),
    )
    assert access.grants(user) == []
    assert visible(user) == set()
    with pytest.raises(Http404):
        get(user, world.households["a"])


def test_an_assignment_ends_when_its_time_comes(world):
    user = accounts_services.user_create(actor=None, username="temp", password=None)
    accounts_services.role_assign(
        actor=None,
        user=user,
        role=Role.GRID_WORKER,
        territory=world.grid_b,
        valid_to=clock.now() + dt.timedelta(days=7),
    )
    assert visible(user) == hh(world, "b")
    with clock.moved(dt.timedelta(days=8)):
        access.forget(user)
        assert visible(user) == set()
    access.forget(user)
    assert visible(user) == hh(world, "b")


def test_an_assignment_that_has_not_started_grants_nothing_yet(world):
    user = accounts_services.user_create(actor=None, username="future", password=None)
    assignment = accounts_services.role_assign(
        actor=None, user=user, role=Role.GRID_WORKER, territory=world.grid_b
    )
    type(assignment).objects.filter(pk=assignment.pk).update(valid_from=clock.now() + dt.timedelta(days=1))
    assert visible(user) == set()


def test_a_revoked_assignment_grants_nothing_once_forgotten(world):
    chief = world.grid_chief_a
    assert visible(chief) == hh(world, "a")
    accounts_services.role_revoke(actor=world.secretary, assignment=chief.assignments.get())
    assert visible(chief) == hh(world, "a")  # grants are read once per request
    access.forget(chief)
    assert visible(chief) == set()


def test_a_new_assignment_counts_once_grants_are_read_again(world):
    chief = world.grid_chief_a
    assert visible(chief) == hh(world, "a")
    accounts_services.role_assign(actor=None, user=chief, role=Role.GRID_WORKER, territory=world.grid_b)
    access.forget(chief)
    assert visible(chief) == hh(world, "a", "b")


def test_permissions_add_up_only_where_the_assignments_cover(world):
    chief = world.grid_chief_a
    accounts_services.role_assign(actor=None, user=chief, role=Role.GRID_WORKER, territory=world.grid_b)
    access.forget(chief)
    access.check(chief, "registry.reveal", world.unit_a1.path)
    with pytest.raises(PermissionDenied):
        access.check(chief, "registry.reveal", world.unit_b1.path)
    assert access.has_anywhere(chief, "registry.reveal")
    assert access.roots(chief, "registry.reveal") == [world.grid_a.path]
    assert access.roots(chief) == sorted([world.grid_a.path, world.grid_b.path])
    # What the user holds somewhere is exactly what has_anywhere answers yes to.
    codes = [p.code for p in registry.permissions()]
    assert access.held_anywhere(chief) == {c for c in codes if access.has_anywhere(chief, c)}
    assert "registry.reveal" in access.held_anywhere(chief)
    assert "keypersons.view" not in access.held_anywhere(world.grid_worker_a)
    assert access.held_anywhere(AnonymousUser()) == frozenset()


def test_nested_assignments_are_counted_once(world):
    secretary = world.secretary
    accounts_services.role_assign(actor=None, user=secretary, role=Role.GRID_CHIEF, territory=world.grid_a)
    access.forget(secretary)
    assert access.roots(secretary, VIEW) == [world.c1.path]
    assert access.scope(secretary, Household.objects.all(), VIEW).count() == 3


def test_check_on_the_node_of_the_assignment_itself_is_covered(world):
    access.check(world.grid_chief_a, VIEW, world.grid_a.path)
    with pytest.raises(Http404):
        access.check(world.grid_chief_a, VIEW, world.c1.path)  # above the assignment


# --- Reveal


def test_reveal_returns_the_plaintext_and_records_who_why_and_what(world):
    resident = world.households["a"].head
    plain = access.reveal(world.secretary, resident, "id_number", "  verifying a subsidy claim ")
    assert plain == resident.id_number.plaintext()
    row = DataAccess.objects.get()
    assert (row.actor, row.field, row.reason) == (world.secretary, "id_number", "verifying a subsidy claim")
    assert (row.object_type, row.object_id) == ("registry.resident", str(resident.pk))
    assert row.territory_path == resident.territory_path
    assert plain not in row.object_repr


def test_a_grid_chief_may_reveal_a_phone_in_the_grid(world):
    resident = world.households["a"].head
    assert access.reveal(world.grid_chief_a, resident, "phone", "calling about a visit") == "13800000000"
    assert DataAccess.objects.filter(actor=world.grid_chief_a, field="phone").count() == 1


def test_reveal_refuses_a_grid_worker_with_403_and_records_nothing(world):
    with pytest.raises(PermissionDenied):
        access.reveal(world.grid_worker_a, world.households["a"].head, "id_number", "just curious about it")
    assert not DataAccess.objects.exists()


def test_reveal_outside_the_subtree_is_404(world):
    with pytest.raises(Http404):
        access.reveal(world.grid_chief_b, world.households["a"].head, "id_number", "wrong grid entirely")
    assert not DataAccess.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", "ok", None])
def test_reveal_refuses_an_empty_or_token_reason_and_records_nothing(world, reason):
    with pytest.raises(ApplicationError) as caught:
        access.reveal(world.secretary, world.households["a"].head, "id_number", reason)
    assert caught.value.field == "reason"
    assert not DataAccess.objects.exists()


def test_reveal_refuses_a_field_that_is_not_protected(world):
    with pytest.raises(ApplicationError) as caught:
        access.reveal(world.secretary, world.households["a"].head, "name", "for the ledger")
    assert caught.value.field == "field"
    assert not DataAccess.objects.exists()


def _prints_of(user) -> set:
    from civicgrid.prints.models import Print

    return set(
        access.own(user, Print.objects.all(), "requested_by").values_list("requested_by_id", flat=True)
    )


def test_own_rows_are_the_users_alone_whatever_their_roles(world):
    """An inbox or a print belongs to one user: a role over the whole county does not open another's."""
    from civicgrid.prints.models import Print

    for user in (world.grid_chief_a, world.town_officer):
        Print.objects.create(kind="ledger", requested_by=user, params={})
    assert _prints_of(world.grid_chief_a) == {world.grid_chief_a.pk}
    assert _prints_of(world.town_officer) == {world.town_officer.pk}
    admin = User.objects.create_superuser("root-own", password="x")
    assert _prints_of(admin) == set()
    assert _prints_of(AnonymousUser()) == set()
