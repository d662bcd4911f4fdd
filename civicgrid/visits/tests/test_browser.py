"""A grid worker's phone at 375 px: a visit logged from the due list raises a case; a visit filled
offline waits on the phone and is sent, once, when the connection returns."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from civicgrid.cases import catalogue
from civicgrid.cases.models import Case, Category
from civicgrid.cases.tests.test_browser_staff import Staff
from civicgrid.visits import dues, services
from civicgrid.visits.models import RuleTarget, Visit, VisitDue, VisitPhoto
from civicgrid.visits.tests.helpers import START

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def round_due(world):
    services.rule_create(
        actor=world.town_officer,
        territory=world.town,
        target=RuleTarget.ALL_HOUSEHOLDS,
        interval_days=365,
        starts_on=START - dt.timedelta(days=365),  # the first round has ended: household A is due
    )
    dues.sweep()
    return VisitDue.objects.get(household=world.households["a"])


def test_a_worker_logs_a_visit_from_the_due_list_and_raises_a_case(
    live_server, world, round_due, phone_context
):
    catalogue.install(Category)  # a transactional test starts without the data migration's rows
    worker = Staff(live_server, phone_context, "zh", "grid_worker_a")
    page = worker.page
    page.goto(f"{live_server.url}/visits/")
    row = page.locator(f"#dues li[data-due='{round_due.pk}']")
    expect(row).to_be_visible()
    worker.check_width()
    row.locator("a.js-log").click()
    expect(page.locator("input[name=kind][value=comprehensive]")).to_be_checked()
    page.locator("input[name=flags][value=safety_hazard]").check()
    page.fill("#id_findings", "楼道里堆满纸箱，挡住了消防通道")
    page.locator("#id_raise_case").check()
    expect(page.locator("#id_case_category")).to_be_visible()
    page.select_option("#id_case_category", "sanitation")
    page.fill("#id_case_description", "楼道堆放杂物，堵塞消防通道")
    worker.check_width()
    page.locator("#visit-form button[type=submit]").click()
    expect(page.locator(".msg-success")).to_be_visible()
    expect(page.locator("h1")).to_have_text("待走访")
    expect(page.locator(f"#dues li[data-due='{round_due.pk}']")).to_have_count(0)
    case = Case.objects.get()
    assert (case.channel, case.house_id) == ("visit", world.households["a"].house_id)
    assert Visit.objects.get().case == case
    worker.check_width()
    worker.assert_clean()


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 16), "green").save(out, "JPEG")
    return out.getvalue()


def test_a_visit_filled_offline_is_kept_on_the_phone_and_sent_once_when_back_online(
    live_server, world, round_due, phone_context, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    worker = Staff(live_server, phone_context, "en", "grid_worker_a")
    page = worker.page
    page.goto(f"{live_server.url}/visits/new/?household={world.households['a'].pk}")
    expect(page.locator("#visit-form")).to_be_visible()
    page.context.set_offline(True)
    page.locator("input[name=kind][value=comprehensive]").check()
    page.locator("input[name=flags][value=all_well]").check()
    page.fill("#id_findings", "Grandmother well; asked about the bus to the clinic")
    page.set_input_files(
        "#id_photos", files=[{"name": "door.jpg", "mimeType": "image/jpeg", "buffer": _photo()}]
    )
    page.locator("#visit-form button[type=submit]").click()
    expect(page.locator("#visit-form-status")).to_contain_text("Saved on this phone")
    expect(page.locator("#outbox li[data-state=saved]")).to_have_count(1)
    worker.check_width()
    assert Visit.objects.count() == 0
    page.context.set_offline(False)
    expect(page.locator("#outbox li[data-state=sent]")).to_have_count(1)
    visit = Visit.objects.get()
    assert visit.findings.startswith("Grandmother well") and visit.all_well
    assert VisitPhoto.objects.filter(visit=visit).count() == 1
    round_due.refresh_from_db()
    assert round_due.met_by == visit
    page.reload()
    expect(page.locator("#visit-form")).to_be_visible()
    page.wait_for_load_state("networkidle")
    expect(page.locator("#outbox li")).to_have_count(0)
    assert Visit.objects.count() == 1
    worker.assert_clean()


def test_a_visit_with_a_mistake_is_posted_once_and_shown_again_with_its_message(
    live_server, world, round_due, phone_context
):
    catalogue.install(Category)
    worker = Staff(live_server, phone_context, "en", "grid_worker_a")
    page = worker.page
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.goto(f"{live_server.url}/visits/")
    page.locator(f"#dues li[data-due='{round_due.pk}'] a.js-log").click()
    page.fill("#id_findings", "stairwell blocked by boxes")
    page.locator("#id_raise_case").check()
    page.select_option("#id_case_category", "sanitation")  # a case, with nothing said about it
    page.locator("#visit-form button[type=submit]").click()
    expect(page.locator("#visit-form [role=alert]").first).to_be_visible()
    assert len(posts) == 1, posts
    expect(page.locator("#id_findings")).to_have_value("stairwell blocked by boxes")
    assert not Visit.objects.exists()
    page.fill("#id_case_description", "boxes block the fire escape")
    page.locator("#visit-form button[type=submit]").click()
    expect(page.locator(".msg-success")).to_be_visible()
    assert Visit.objects.count() == 1 and len(posts) == 2
