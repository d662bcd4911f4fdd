"""Property test of the access rule against an oracle that knows nothing of paths.

Random trees (codes that share prefixes, random depth and branching) are built through the territory
service; random users hold random roles on random nodes, some expired or not yet started; households
sit in random units and organisations on random nodes. For every (user, object, permission) the
scoped queryset, `check` and `get_for` must agree with the oracle: walk the object's node up its
parent links to the root, and see whether an active assignment sits on that chain (covered) and
whether a covering assignment's role holds the permission.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from civicgrid import access
from civicgrid.accounts import services as accounts_services
from civicgrid.accounts.models import RoleAssignment
from civicgrid.accounts.roles import Role
from civicgrid.core import clock, registry
from civicgrid.orgs.models import Organisation
from civicgrid.registry.models import House, Household
from civicgrid.territory import services as territory_services
from civicgrid.territory.models import Level, Territory

EXAMPLES = 300
MIN_CASES = 10_000
MAX_NODES = 22
COUNTY_CODES = ["520602000000", "520620000000", "520610000000"]
SUFFIXES = ["001", "010", "100", "011", "002", "101"]  # siblings whose codes share prefixes
CHILD_LEVEL = {
    Level.COUNTY: Level.TOWN,
    Level.TOWN: Level.COMMUNITY,
    Level.COMMUNITY: Level.GRID,
    Level.GRID: Level.UNIT,
}
MAX_CHILDREN = {Level.COUNTY: 2, Level.TOWN: 2, Level.COMMUNITY: 3, Level.GRID: 3}
STATES = ["active", "ending", "expired", "future"]  # ending: valid_to in the future, still active


def child_code(parent: Territory, level: str, suffix: str) -> str:
    if level == Level.TOWN:
        return parent.code[:6] + suffix + "000"
    if level == Level.COMMUNITY:
        return parent.code[:9] + suffix
    return parent.code + suffix


def build_tree(data) -> list[Territory]:
    counties = data.draw(
        st.lists(st.sampled_from(COUNTY_CODES), min_size=1, max_size=2, unique=True), "roots"
    )
    nodes = [
        territory_services.territory_create(actor=None, level=Level.COUNTY, code=c, name=c) for c in counties
    ]
    queue = [(nodes[0], True)] + [(n, False) for n in nodes[1:]]  # the first chain always reaches a unit
    while queue:
        parent, spine = queue.pop(0)
        level = CHILD_LEVEL.get(parent.level)
        if level is None:
            continue
        room = min(MAX_CHILDREN[parent.level], MAX_NODES - len(nodes))
        if room <= 0 and not spine:
            continue
        suffixes = data.draw(
            st.lists(
                st.sampled_from(SUFFIXES),
                min_size=1 if spine else 0,
                max_size=max(room, 1 if spine else 0),
                unique=True,
            ),
            f"children of {parent.code}",
        )
        for i, suffix in enumerate(suffixes):
            child = territory_services.territory_create(
                actor=None, level=level, code=child_code(parent, level, suffix), name=suffix, parent=parent
            )
            nodes.append(child)
            queue.append((child, spine and i == 0))
    return nodes


def build_users(data, nodes, department):
    now = clock.now()
    users = []
    for u in range(data.draw(st.integers(min_value=3, max_value=6), "users")):
        user = accounts_services.user_create(actor=None, username=f"u{u}", password=None)
        if data.draw(st.integers(min_value=0, max_value=9), "superuser?") == 0:
            user.is_superuser = True
            user.save(update_fields=["is_superuser"])
        held = []
        for _ in range(data.draw(st.integers(min_value=0, max_value=3), "assignments")):
            role = data.draw(st.sampled_from(list(Role)), "role")
            node = data.draw(st.sampled_from(nodes), "node")
            state = data.draw(st.sampled_from(STATES), "state")
            valid_to = {"expired": now - dt.timedelta(days=1), "ending": now + dt.timedelta(days=30)}.get(
                state
            )
            assignment = accounts_services.role_assign(
                actor=None,
                user=user,
                role=role,
                territory=node,
                valid_to=valid_to,
                organisation=department if role == Role.DEPARTMENT_HANDLER else None,
            )
            if state == "future":
                RoleAssignment.objects.filter(pk=assignment.pk).update(valid_from=now + dt.timedelta(days=1))
            if state == "expired":
                RoleAssignment.objects.filter(pk=assignment.pk).update(valid_from=now - dt.timedelta(days=9))
            held.append((role, node.pk, state in ("active", "ending")))
        access.forget(user)
        users.append((user, held))
    return users


def build_objects(data, nodes, department):
    units = [n for n in nodes if n.level == Level.UNIT]
    homes = [
        data.draw(st.sampled_from(units), "unit") for _ in range(data.draw(st.integers(3, 8), "households"))
    ]
    houses = House.objects.bulk_create(
        House(unit=u, territory_path=u.path, house_code=f"H{i}", address=str(i)) for i, u in enumerate(homes)
    )
    households = Household.objects.bulk_create(
        Household(house=h, territory_path=h.territory_path, number=f"N{i}") for i, h in enumerate(houses)
    )
    objects = [
        (Household, hh.pk, hh.territory_path, house.unit_id)
        for hh, house in zip(households, houses, strict=True)
    ]
    seats = [data.draw(st.sampled_from(nodes), "seat") for _ in range(data.draw(st.integers(2, 5), "orgs"))]
    orgs = Organisation.objects.bulk_create(
        Organisation(kind="mass_org", name=str(i), territory=n, territory_path=n.path)
        for i, n in enumerate(seats)
    )
    objects += [(Organisation, o.pk, o.territory_path, o.territory_id) for o in orgs]
    objects.append((Organisation, department.pk, department.territory_path, department.territory_id))
    return objects


def oracle(parent_of: dict[int, int | None], held, superuser: bool, node_id: int, perm: str, table):
    """What should happen, found by walking parent links: None, Http404 or PermissionDenied."""
    if superuser:
        return None
    chain = set()
    current = node_id
    while current is not None:
        chain.add(current)
        current = parent_of[current]
    covering = [role for role, node, active in held if active and node in chain]
    if not covering:
        return Http404
    if not any(perm in table.get(role, frozenset()) for role in covering):
        return PermissionDenied
    return None


def outcome(fn):
    try:
        fn()
    except (Http404, PermissionDenied) as exc:
        return type(exc)
    return None


def test_access_agrees_with_a_parent_walking_oracle(db):
    table = registry.role_permissions()
    perms = sorted({p.code for p in registry.permissions()})
    stats = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.data_too_large,
        ],
    )
    @given(data=st.data())
    def example(data):
        with transaction.atomic():
            nodes = build_tree(data)
            department = Organisation.objects.create(
                kind="department", name="dept", territory=nodes[0], territory_path=nodes[0].path
            )
            users = build_users(data, nodes, department)
            objects = build_objects(data, nodes, department)
            parent_of = dict(Territory.objects.values_list("id", "parent_id"))
            violations = []
            for user, held in users:
                for perm in perms:
                    seen = {
                        model: set(access.scope(user, model.objects.all(), perm).values_list("pk", flat=True))
                        for model in (Household, Organisation)
                    }
                    for model, pk, path, node_id in objects:
                        expected = oracle(parent_of, held, user.is_superuser, node_id, perm, table)
                        stats["cases"] += 1
                        stats[getattr(expected, "__name__", "allowed")] += 1
                        if (pk in seen[model]) != (expected is None):
                            violations.append(("scope", user.username, held, model.__name__, path, perm))
                        got = outcome(lambda user=user, perm=perm, path=path: access.check(user, perm, path))
                        if got is not expected:
                            violations.append(("check", user.username, held, path, perm, got, expected))
                for model, pk, path, node_id in objects:
                    perm = data.draw(st.sampled_from(perms), "get_for perm")
                    expected = oracle(parent_of, held, user.is_superuser, node_id, perm, table)
                    got = outcome(
                        lambda user=user, model=model, pk=pk, perm=perm: access.get_for(
                            user, model.objects.all(), perm, pk=pk
                        )
                    )
                    stats["get_for"] += 1
                    if got is not expected:
                        violations.append(("get_for", user.username, held, path, perm, got, expected))
            stats["violations"] += len(violations)
            stats["examples"] += 1
            transaction.set_rollback(True)
        assert not violations, violations[:5]

    example()
    assert Territory.objects.count() == 0  # every example rolled back
    assert stats["violations"] == 0
    assert stats["cases"] >= MIN_CASES, stats
    for kind in ("allowed", "Http404", "PermissionDenied"):
        assert stats[kind] >= stats["cases"] // 20, stats  # each outcome well represented
    print(
        f"access property: {stats['examples']} examples, {stats['cases']} (user, object, permission) cases, "
        f"{stats['get_for']} get_for calls, {stats['violations']} violations; outcomes "
        f"allowed={stats['allowed']} 404={stats['Http404']} 403={stats['PermissionDenied']}"
    )
