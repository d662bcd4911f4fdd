"""Narrow access: only designated roles see key persons, 404 outside, 403 inside; every read recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from civicgrid.accounts.tokens import token_create
from civicgrid.audit.models import AuditEvent
from civicgrid.core import clock
from civicgrid.keypersons import today
from civicgrid.keypersons.tests.conftest import register

pytestmark = pytest.mark.django_db

NOT_DESIGNATED = ["grid_worker_a", "unit_chief_a", "clerk", "handler"]


@pytest.fixture
def kp(people):
    return register(people)


def _reads(user):
    return list(AuditEvent.objects.filter(action="keyperson.read", actor=user).order_by("id"))


@pytest.mark.parametrize("name", NOT_DESIGNATED)
def test_roles_not_designated_are_forbidden_inside_the_area(people, kp, client_for, name):
    client = client_for(people.users[name])
    assert client.get(reverse("keypersons:list")).status_code == 403
    assert client.get(reverse("keypersons:detail", args=[kp.pk])).status_code == 403
    assert client.get(reverse("keypersons:register")).status_code == 403
    assert client.post(reverse("keypersons:review", args=[kp.pk]), {}).status_code == 403
    assert client.post(reverse("keypersons:end", args=[kp.pk]), {}).status_code == 403
    assert not AuditEvent.objects.filter(action="keyperson.read").exists()


@pytest.mark.parametrize("name", ["grid_chief_b", "outsider"])
def test_a_key_person_outside_the_area_does_not_exist(people, kp, client_for, name):
    client = client_for(people.users[name])
    assert client.get(reverse("keypersons:detail", args=[kp.pk])).status_code == 404
    assert client.post(reverse("keypersons:review", args=[kp.pk]), {}).status_code == 404


def test_the_sibling_grid_chief_lists_nobody_from_grid_a(people, kp, client_for):
    response = client_for(people.grid_chief_b).get(reverse("keypersons:list"))
    assert response.status_code == 200
    assert kp.resident.name not in response.content.decode()
    assert not _reads(people.grid_chief_b)


@pytest.mark.parametrize("name", ["grid_chief_a", "secretary", "town_officer", "cadre"])
def test_designated_roles_read_and_each_read_is_recorded(people, kp, client_for, name):
    user = people.users[name]
    client = client_for(user)
    assert kp.resident.name in client.get(reverse("keypersons:list")).content.decode()
    assert client.get(reverse("keypersons:detail", args=[kp.pk])).status_code == 200
    reads = _reads(user)
    assert [e.summary for e in reads] == [
        {"view": "list", "key_persons": [kp.pk]},
        {"view": "detail", "key_persons": [kp.pk]},
    ]
    assert all(e.territory_path == kp.territory_path for e in reads)


def test_a_list_read_names_everyone_shown_and_the_node_that_holds_them(people, client_for):
    a = register(people)
    c = register(people, "c", colour="green")
    client_for(people.secretary).get(reverse("keypersons:list"))
    (read,) = _reads(people.secretary)
    assert sorted(read.summary["key_persons"]) == sorted([a.pk, c.pk])
    assert read.territory_path == people.c1.path
    assert read.object_repr == people.c1.name


def test_api_reads_are_recorded_like_page_reads(people, kp, client):
    token = token_create(actor=None, user=people.grid_chief_a, name="t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/keypersons", **auth).status_code == 200
    assert client.get(f"/api/v1/keypersons/{kp.pk}", **auth).status_code == 200
    assert [e.summary["view"] for e in _reads(people.grid_chief_a)] == ["api_list", "api_detail"]


@pytest.mark.parametrize("name", NOT_DESIGNATED)
def test_the_api_is_forbidden_to_roles_not_designated(people, kp, client, name):
    token = token_create(actor=None, user=people.users[name], name="t")[1]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get("/api/v1/keypersons", **auth).status_code == 403
    assert client.get(f"/api/v1/keypersons/{kp.pk}", **auth).status_code == 403
    assert client.get("/api/v1/keypersons/categories", **auth).status_code == 403


def test_the_today_section_is_hidden_from_others_and_its_read_recorded(people):
    due_soon = register(people, since=clock.today() - dt.timedelta(days=5))  # red: due in 2 days
    register(people, "c", colour="green")  # due in 90 days: not today's business
    for name in [*NOT_DESIGNATED, "outsider"]:
        assert today.context(people.users[name]) is None
    assert today.context(people.grid_chief_b) == {
        "key_persons": [],
        "more": False,
        "overdue": 0,
        "soon_days": 3,
    }
    assert not _reads(people.grid_chief_b)
    section = today.context(people.secretary)
    assert [p.pk for p in section["key_persons"]] == [due_soon.pk]
    assert section["key_persons"][0].days_left == 2
    assert [e.summary for e in _reads(people.secretary)] == [{"view": "today", "key_persons": [due_soon.pk]}]


def test_the_today_section_is_declared_for_holders_of_the_view_permission():
    from civicgrid.core import registry

    (section,) = [t for t in registry.today_sections() if t.template == "keypersons/_today.html"]
    assert section.permission == "keypersons.view"
    assert section.context is today.context
