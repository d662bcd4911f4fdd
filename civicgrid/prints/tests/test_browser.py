"""A grid chief prints the door plates of the grid on a phone: the print's page, then its PDF."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from civicgrid.testing import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "zh": {"print": "打印门牌（PDF）", "download": "下载 PDF", "plates": "张门牌"},
    "en": {"print": "Print door plates (PDF)", "download": "Download the PDF", "plates": "door plate"},
}


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_grid_chief_prints_the_grids_door_plates(live_server, world, phone_context, lang):
    words = WORDS[lang]
    page = phone_context(lang).new_page()
    log_in(page, live_server.url, "grid_chief_a")
    page.goto(f"{live_server.url}/registry/plates/")
    page.select_option("select#place", str(world.grid_a.pk))
    page.get_by_role("button", name=words["print"]).click()

    # The sheet is made by the worker (immediate in tests); the page offers it with its count.
    expect(page).to_have_url(re.compile(r"/prints/\d+/$"))
    status = page.locator("#print-status")
    expect(status).to_contain_text(words["plates"])
    link = status.get_by_role("link", name=words["download"])
    response = page.request.get(live_server.url + link.get_attribute("href"))
    assert response.status == 200 and response.body().startswith(b"%PDF")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
