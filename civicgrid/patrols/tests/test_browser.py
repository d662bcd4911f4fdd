"""A member's patrol on a phone at 375 px, in both languages: check in from the today page, record a
finding and raise it as a case in one step, check out, and see the hours on the team page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from civicgrid.cases.models import Case
from civicgrid.cases.tests.test_browser_staff import Staff
from civicgrid.patrols.models import Attendance, PatrolFinding

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
HOUR = dt.timedelta(hours=1)


# One member's phone: logs in, and notes CSP errors and pages wider than the screen.
Phone = Staff


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_member_checks_in_records_a_finding_raises_a_case_checks_out_and_sees_the_hours(
    live_server, phone_context, patrol, categories, lang
):
    shift = patrol.plan(start_in=HOUR, length=2 * HOUR)
    with patrol.later(HOUR):
        phone = Phone(live_server, phone_context, lang, "volunteer_a")
        page = phone.page
        page.goto(f"{phone.url}/today/")
        section = page.locator("#today-patrols")
        expect(section.locator(f"li[data-shift='{shift.pk}']")).to_be_visible()
        phone.check_width()
        section.locator(f"button.check-in[data-shift='{shift.pk}']").click()
        expect(page.locator(".msg-success")).to_be_visible()
        expect(page.locator(f"#today-patrols button.check-out[data-shift='{shift.pk}']")).to_be_visible()
        assert Attendance.objects.get(shift=shift, member=patrol.me).checked_in_at == patrol.now + HOUR

        page.locator(f"#today-patrols li[data-shift='{shift.pk}'] a").first.click()
        form = page.locator("#record-finding")
        expect(form).to_be_visible()
        expect(form.locator("select[name=category]")).to_be_hidden()
        form.locator("textarea[name=description]").fill("井盖缺失，夜间很危险")
        form.locator("input[name=place]").fill("A1单元门口")
        form.locator("input[name=raise_case]").check()
        expect(form.locator("select[name=category]")).to_be_visible()
        form.locator("select[name=category]").select_option("roads")
        phone.check_width()
        form.locator("button[type=submit]").click()
        expect(page.locator(".msg-success")).to_contain_text(re.compile(r"C\d{6}"))
        finding = PatrolFinding.objects.get()
        case = Case.objects.get()
        assert finding.case == case and case.reporter_user == patrol.volunteer
        expect(page.locator(f"#findings li[data-finding='{finding.pk}'] .badge")).to_have_text(case.code)
        phone.check_width()

    with patrol.later(3 * HOUR):
        page.locator("#my-tap button.check-out").click()
        expect(page.locator(".msg-success")).to_be_visible()
        page.locator(".breadcrumb a").last.click()
        row = page.locator(f"#members li[data-member='{patrol.me.pk}']")
        expect(row.locator(".hours")).to_have_text("2.0 h")
        phone.check_width()
    assert phone.csp_errors == []
    assert phone.wide_pages == []
