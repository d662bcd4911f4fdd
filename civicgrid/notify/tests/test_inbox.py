"""The staff inbox: my notifications only, unread counted in the menu, marked read one by one or all."""

from __future__ import annotations

import pytest

from civicgrid.cases import services
from civicgrid.notify.models import Notification
from civicgrid.testing import submit_case

pytestmark = pytest.mark.django_db


def _case_for_the_grid_chief(world):
    return submit_case(world)


def test_the_inbox_shows_only_my_notifications(world, client_for):
    case = _case_for_the_grid_chief(world)
    services.case_escalate(actor=world.grid_chief_a, case=case, note="需要社区协调")
    mine = client_for(world.grid_chief_a).get("/notifications/")
    theirs = client_for(world.secretary).get("/notifications/")
    chief_ids = set(Notification.objects.filter(recipient=world.grid_chief_a).values_list("pk", flat=True))
    secretary_ids = set(Notification.objects.filter(recipient=world.secretary).values_list("pk", flat=True))
    assert chief_ids and secretary_ids
    for pk in chief_ids:
        assert f'id="notification-{pk}"' in mine.text and f'id="notification-{pk}"' not in theirs.text
    for pk in secretary_ids:
        assert f'id="notification-{pk}"' in theirs.text and f'id="notification-{pk}"' not in mine.text


def test_the_menu_shows_my_unread_count(world, client_for):
    _case_for_the_grid_chief(world)
    page = client_for(world.grid_chief_a).get("/").text
    assert 'id="nav-badge-notify-inbox" class="badge nav-badge">1</span>' in page


def test_marking_one_read_with_htmx_updates_the_row_and_the_badge(world, client_for):
    _case_for_the_grid_chief(world)
    note = Notification.objects.get(recipient=world.grid_chief_a)
    response = client_for(world.grid_chief_a).post(
        f"/notifications/{note.pk}/read/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    note.refresh_from_db()
    assert note.read_at is not None
    assert 'class="notification"' in response.text  # no longer marked unread
    assert 'id="nav-badge-notify-inbox" class="badge nav-badge hidden" hx-swap-oob="true">0<' in response.text


def test_nobody_can_mark_someone_elses_notification(world, client_for):
    _case_for_the_grid_chief(world)
    note = Notification.objects.get(recipient=world.grid_chief_a)
    response = client_for(world.secretary).post(f"/notifications/{note.pk}/read/")
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_leaves_nothing_unread_and_touches_only_mine(world, client_for):
    case = _case_for_the_grid_chief(world)
    services.case_escalate(actor=world.grid_chief_a, case=case, note="需要社区协调")
    services.case_return(actor=world.secretary, case=case, note="网格先处理")
    assert Notification.objects.filter(recipient=world.grid_chief_a, read_at__isnull=True).count() >= 2
    response = client_for(world.grid_chief_a).post("/notifications/read-all/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.grid_chief_a, read_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=world.secretary, read_at__isnull=True).exists()


def test_the_unread_filter_hides_what_was_read(world, client_for):
    _case_for_the_grid_chief(world)
    note = Notification.objects.get(recipient=world.grid_chief_a)
    client = client_for(world.grid_chief_a)
    client.post(f"/notifications/{note.pk}/read/")
    assert f'id="notification-{note.pk}"' not in client.get("/notifications/?unread=1").text
    assert f'id="notification-{note.pk}"' in client.get("/notifications/").text


def test_the_inbox_needs_a_login(client):
    response = client.get("/notifications/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_following_a_notification_opens_its_case_and_marks_it_read(world, client_for):
    case = _case_for_the_grid_chief(world)
    note = Notification.objects.get(recipient=world.grid_chief_a)
    response = client_for(world.grid_chief_a).get(f"/notifications/{note.pk}/open/")
    assert response.status_code == 302 and response["Location"] == f"/cases/{case.pk}/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_the_inbox_costs_the_same_queries_for_one_or_many_notifications(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(world.grid_chief_a)
    _case_for_the_grid_chief(world)
    client.get("/notifications/")  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get("/notifications/")
    for _ in range(8):
        _case_for_the_grid_chief(world)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/notifications/")
    assert page.text.count('class="notification unread"') == 9
    assert len(many) == len(one)


def test_a_long_unread_backlog_is_counted_only_up_to_what_the_badge_shows(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _case_for_the_grid_chief(world)
    first = Notification.objects.get(recipient=world.grid_chief_a)
    Notification.objects.bulk_create(
        Notification(
            recipient=world.grid_chief_a,
            kind=first.kind,
            case=first.case,
            text_code=first.text_code,
            params=first.params,
        )
        for _ in range(120)
    )
    client = client_for(world.grid_chief_a)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/").text
    assert 'id="nav-badge-notify-inbox" class="badge nav-badge">99+</span>' in page
    counts = [
        q["sql"]
        for q in captured.captured_queries
        if "COUNT(" in q["sql"] and "notify_notification" in q["sql"]
    ]
    assert counts and all("LIMIT 100" in sql for sql in counts)
    inbox = client.get("/notifications/").text
    assert "超过 99 条未读" in inbox  # the reader's language is Chinese here


def test_an_item_escapes_what_its_text_carries_and_keeps_its_form(world, client_for):
    case = _case_for_the_grid_chief(world)
    Notification.objects.create(
        recipient=world.grid_chief_a,
        kind="assigned",
        case=case,
        text_code="assigned.department",
        params={"code": case.code, "tier": "grid", "department": '<script>alert("x")</script>'},
    )
    page = client_for(world.grid_chief_a).get("/notifications/").text
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    mine = Notification.objects.filter(recipient=world.grid_chief_a)
    assert page.count('name="csrfmiddlewaretoken"') >= mine.count()  # one form per unread item
    assert all(f'id="notification-{n.pk}"' in page for n in mine)


def test_the_inbox_page_counts_the_unread_once_for_its_heading_and_the_menu(world, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _case_for_the_grid_chief(world)
    _case_for_the_grid_chief(world)
    client = client_for(world.grid_chief_a)
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/notifications/").text
    counts = [
        q for q in captured.captured_queries if "COUNT(" in q["sql"] and "notify_notification" in q["sql"]
    ]
    assert len(counts) == 1
    assert 'id="nav-badge-notify-inbox" class="badge nav-badge">2</span>' in page
    assert "2 条未读" in page


def test_a_count_kept_for_the_request_is_forgotten_when_the_reader_marks_read(world):
    from civicgrid.notify import selectors, services

    _case_for_the_grid_chief(world)
    _case_for_the_grid_chief(world)
    reader = world.grid_chief_a
    assert selectors.unread_count(reader) == 2
    first = Notification.objects.filter(recipient=reader).first()
    services.notification_mark_read(actor=reader, notification=first)
    assert selectors.unread_count(reader) == 1
    services.notification_mark_all_read(actor=reader)
    assert selectors.unread_count(reader) == 0
