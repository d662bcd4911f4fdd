"""Reminders from any module: a manifest declares the text, `notify_users` puts it in the inbox."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from civicgrid.core.registry import Manifest, register
from civicgrid.notify import selectors
from civicgrid.notify.models import Kind, Notification
from civicgrid.notify.services import notify_users

pytestmark = pytest.mark.django_db

register(
    Manifest(name="reminder_tests", label="tests", messages={"tests.due": _("%(count)s visits are due.")})
)


def test_a_reminder_reaches_each_user_once_with_its_link(world):
    made = notify_users(
        user_ids={world.grid_chief_a.pk, world.grid_worker_a.pk, world.grid_chief_a.pk},
        text_code="tests.due",
        params={"count": 3},
        link="/visits/",
    )
    assert len(made) == 2
    row = Notification.objects.get(recipient=world.grid_chief_a)
    assert (row.kind, row.case_id, row.link) == (Kind.REMINDER, None, "/visits/")
    with translation.override("en"):
        assert row.text == "3 visits are due."


def test_a_reminder_opens_its_page_and_is_marked_read(world, client_for):
    (row,) = notify_users(
        user_ids={world.grid_chief_a.pk}, text_code="tests.due", params={"count": 1}, link="/"
    )
    client = client_for(world.grid_chief_a)
    page = client.get("/notifications/")
    assert f'href="/notifications/{row.pk}/open/"' in page.text
    opened = client.get(f"/notifications/{row.pk}/open/")
    assert opened.status_code == 302 and opened["Location"] == "/"
    row.refresh_from_db()
    assert row.read_at is not None


def test_an_undeclared_text_is_refused():
    with pytest.raises(ValueError):
        notify_users(user_ids={1}, text_code="tests.nobody_declared_this", params={})


def test_holders_are_found_on_the_node_or_the_nearest_node_above(world):
    assert selectors.holder_ids("cases.handle", world.grid_a.path) >= {world.grid_chief_a.pk}
    assert world.grid_chief_a.pk not in selectors.holder_ids("cases.handle", world.grid_b.path)
    # Nobody holds cases.handle on unit A1 itself: the grid above answers for it.
    assert selectors.holder_ids("cases.handle", world.unit_a1.path) == selectors.holder_ids(
        "cases.handle", world.grid_a.path
    )
