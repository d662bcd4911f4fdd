"""A grid chief's phone at 375 px: marking one notification read updates it, the count and the badge."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from civicgrid.cases import catalogue, services
from civicgrid.cases.models import Category
from civicgrid.cases.tests.test_browser_staff import Staff
from civicgrid.notify.models import Notification

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_chief_marks_a_notification_read_in_place(live_server, world, phone_context, lang):
    catalogue.install(Category)  # a transactional test starts without the data migration's rows
    for text in ("路灯不亮", "井盖缺失"):
        services.case_submit(
            actor=world.grid_worker_a,
            channel="walk_in",
            category=Category.objects.get(code="sanitation"),
            title="",
            description=text,
            house=world.households["a"].house,
        )
    first, second = Notification.objects.filter(recipient=world.grid_chief_a).order_by("id")
    chief = Staff(live_server, phone_context, lang, "grid_chief_a")
    page = chief.page
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator("#inbox-unread")).to_have_text("2 条未读" if lang == "zh" else "2 unread")
    item = page.locator(f"#notification-{second.pk}")
    expect(item).to_have_class("notification unread")
    expect(item.locator("p.text a")).to_contain_text(second.case.code)
    chief.check_width()
    item.locator("button[type=submit]").click()
    expect(page.locator(f"#notification-{second.pk}")).to_have_class("notification")
    expect(page.locator(f"#notification-{second.pk} button")).to_have_count(0)
    expect(page.locator("#inbox-unread")).to_have_text("1 条未读" if lang == "zh" else "1 unread")
    expect(page.locator("#nav-badge-notify-inbox")).to_have_text("1")
    expect(page.locator(f"#notification-{first.pk}")).to_have_class("notification unread")
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.read_at is not None and first.read_at is None
    assert chief.wide_pages == [] and chief.csp_errors == []
