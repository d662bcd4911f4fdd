"""The platform shell: login and lockout, idle timeout, navigation, the tree pages, the audit log, headers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from civicgrid.audit.models import AuditEvent
from civicgrid.audit.services import audit_record
from civicgrid.territory.models import Territory
from civicgrid.testing import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_login_then_home_shows_my_places(world):
    c = Client()
    assert _login(c, "secretary", PASSWORD).status_code == 302
    response = c.get(reverse("home"))
    assert response.status_code == 200
    assert [p["node"] for p in response.context["places"]] == [world.c1]
    assert response.context["places"][0]["counts"]["households"] == 3


def test_account_locks_after_repeated_failures(world, settings):
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(c, "secretary", "wrong-password")
    locked = _login(c, "secretary", PASSWORD)
    assert locked.status_code == 429
    assert not c.get(reverse("home")).wsgi_request.user.is_authenticated


def test_session_ends_after_idle_timeout(world, settings):
    c = Client()
    _login(c, "secretary", PASSWORD)
    assert c.get(reverse("home")).status_code == 200
    session = c.session
    session.set_expiry(-1)  # as if the idle period had passed
    session.save()
    assert c.get(reverse("home")).status_code == 302
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def _expiry(client):
    from django.contrib.sessions.models import Session

    return Session.objects.get(session_key=client.cookies["sessionid"].value).expire_date


def test_a_used_session_is_pushed_back_once_a_minute_not_on_every_request(world):
    import datetime as dt

    from civicgrid.core import clock

    c = Client()
    _login(c, "secretary", PASSWORD)
    c.get(reverse("home"))
    first = _expiry(c)
    with clock.moved(dt.timedelta(seconds=20)):
        c.get(reverse("home"))
    assert _expiry(c) == first  # no write within the minute
    with clock.moved(dt.timedelta(seconds=61)):
        c.get(reverse("home"))
    assert _expiry(c) > first  # the idle timeout starts again from this request


def test_navigation_follows_permissions(world, client_for):
    labels = lambda user: {str(i["label"]) for i in client_for(user).get(reverse("home")).context["nav"]}  # noqa: E731
    assert "Audit log" in labels(world.secretary) or "审计日志" in labels(world.secretary)
    worker = labels(world.grid_worker_a)
    assert not ({"Audit log", "审计日志", "Import", "导入"} & worker)


def test_tree_shows_only_my_subtree(world, client_for):
    response = client_for(world.grid_chief_a).get(reverse("territory_tree"))
    assert [t.pk for t in response.context["roots"]] == [world.grid_a.pk]
    assert (
        client_for(world.grid_chief_a).get(reverse("territory_detail", args=[world.grid_b.pk])).status_code
        == 404
    )


def test_secretary_adds_a_grid_with_the_next_code(world, client_for):
    c = client_for(world.secretary)
    response = c.post(
        reverse("territory_add", args=[world.c1.pk]), {"name": "新网格", "code": "", "kind": ""}
    )
    assert response.status_code == 302
    grid = Territory.objects.get(name="新网格")
    assert grid.parent == world.c1 and grid.level == "grid" and grid.code == "520602001001003"


def test_adding_with_a_bad_code_shows_the_reason(world, client_for):
    c = client_for(world.secretary)
    response = c.post(reverse("territory_add", args=[world.c1.pk]), {"name": "坏网格", "code": "999"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not Territory.objects.filter(name="坏网格").exists()


def test_grid_chief_cannot_manage_the_tree(world, client_for):
    c = client_for(world.grid_chief_a)
    assert c.post(reverse("territory_edit", args=[world.grid_a.pk]), {"name": "x"}).status_code == 403


def test_secretary_moves_a_unit_to_another_grid_and_households_follow(world, client_for):
    c = client_for(world.secretary)
    response = c.post(reverse("territory_move", args=[world.unit_a1.pk]), {"new_parent": world.grid_b.pk})
    assert response.status_code == 302
    world.unit_a1.refresh_from_db()
    assert world.unit_a1.parent == world.grid_b
    household = world.households["a"]
    household.refresh_from_db()
    assert household.territory_path.startswith(world.grid_b.path)
    # grid chief B now sees it; grid chief A no longer does
    detail = reverse("registry:household_detail", args=[household.pk])
    assert client_for(world.grid_chief_b).get(detail).status_code == 200
    assert client_for(world.grid_chief_a).get(detail).status_code == 404


def test_edit_boundary_rejects_an_invalid_polygon(world, client_for):
    bow_tie = '{"type": "Polygon", "coordinates": [[[0,0],[1,1],[1,0],[0,1],[0,0]]]}'
    response = client_for(world.secretary).post(
        reverse("territory_edit", args=[world.grid_a.pk]),
        {"name": "第一网格", "kind": "", "boundary": bow_tie},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["boundary"]


def test_audit_log_is_scoped(world, client_for):
    response = client_for(world.secretary).get(reverse("audit_list"))
    assert response.status_code == 200
    paths = {e.territory_path for e in response.context["page"].rows}
    assert paths and all(p.startswith(world.c1.path) for p in paths)
    assert client_for(world.grid_worker_a).get(reverse("audit_list")).status_code == 403
    assert AuditEvent.objects.exclude(territory_path__startswith=world.c1.path).exists()


def test_language_follows_accept_language_and_the_switcher(world, client_for):
    c = client_for(world.secretary)
    assert 'lang="en"' in c.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="zh-hans"' in c.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in c.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()


def test_pages_carry_a_strict_content_security_policy(world, client_for):
    csp = client_for(world.secretary).get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_healthz_answers(client):
    assert client.get(reverse("healthz")).json() == {"status": "ok"}


def test_household_list_for_a_territory_filter_outside_scope_is_404(world, client_for):
    response = client_for(world.grid_chief_a).get(
        reverse("registry:household_list"), {"territory": world.c2.pk}
    )
    assert response.status_code == 404


def test_expired_assignment_grants_nothing(world, client_for):
    assignment = world.grid_chief_a.assignments.get()
    assignment.valid_from -= dt.timedelta(days=30)
    assignment.valid_to = assignment.valid_from + dt.timedelta(days=1)
    assignment.save()
    url = reverse("registry:household_detail", args=[world.households["a"].pk])
    assert client_for(world.grid_chief_a).get(url).status_code == 404


@pytest.mark.parametrize("who", ["grid_chief_a", "secretary", "town_officer"])
def test_the_menu_badges_never_count_a_backlog_in_full(world, client_for, who):
    """Every page shows the menu: each badge's COUNT stops one past what "99+" shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civicgrid.core.registry import nav_entries
    from civicgrid.core.templatetags.counts import BADGE_MAX

    badged = [entry for entry in nav_entries() if entry.badge]
    assert len(badged) >= 4  # inbox, visits due, the registry's review, party members' households
    client = client_for(getattr(world, who))
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("notify:inbox")).status_code == 200  # a page with only the menu's counts
    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    badge_tables = ("notify_notification", "visits_visitdue", "registry_selfregistration",
                    "registry_registrycorrection", "partywork_contactpairing")  # fmt: skip
    badge_counts = [sql for sql in counts if any(f'"{t}"' in sql for t in badge_tables)]
    assert badge_counts
    assert all(f"LIMIT {BADGE_MAX + 1}" in sql for sql in badge_counts), badge_counts


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_language_menu_names_each_language_in_itself(world, lang):
    body = Client().get(reverse("login"), HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert '<option value="en" lang="en"' in body and ">English</option>" in body
    assert ">简体中文</option>" in body and "英语" not in body


@pytest.mark.parametrize("url", ["/cases/list/?state=closed&q=x", "/registry/households/?q=x"])
def test_a_filter_form_asks_its_page_without_the_current_query(world, client_for, url):
    # With an empty hx-get, htmx sent the current query and the form's fields after it: every change
    # of filter made the address longer.
    body = client_for(world.town_officer).get(url).content.decode()
    assert f'hx-get="{url.split("?")[0]}"' in body


def test_an_audit_entrys_change_reads_as_fields_not_as_stored_json(world, client_for):
    summary = {"file": "bad.csv", "all_or_nothing": True, "notes": {"before": "", "after": "门牌已换"}}
    audit_record(actor=world.secretary, action="test.change", obj=world.c1, summary=summary)
    body = client_for(world.secretary).get(reverse("audit_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "<dt>file</dt><dd>bad.csv</dd>" in body and "<dt>all_or_nothing</dt><dd>yes</dd>" in body
    notes = body.split("<dt>notes</dt><dd>")[1].split("</dd>")[0]  # PostgreSQL's jsonb orders keys itself
    assert sorted(notes.split(", ")) == ["after 门牌已换", "before —"]
    assert "{&#x27;" not in body and "{'" not in body
