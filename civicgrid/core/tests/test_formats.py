"""Dates read the same way in both languages: year, month, day, and a 24-hour time."""

from __future__ import annotations

import datetime as dt

from django.template import Context, Template
from django.utils import translation

AT = dt.datetime(2026, 3, 12, 21, 13)  # the 12th of March: Django's American default wrote 03/12/2026


def _render(text: str, language: str) -> str:
    with translation.override(language):
        return Template(text).render(Context({"at": AT, "day": AT.date()}))


def test_english_short_and_default_formats_are_year_month_day_and_24_hour():
    assert _render('{{ at|date:"SHORT_DATETIME_FORMAT" }}', "en") == "2026-03-12 21:13"
    assert _render('{{ day|date:"SHORT_DATE_FORMAT" }}', "en") == "2026-03-12"
    assert _render("{{ day }}", "en") == "2026-03-12"


def test_chinese_formats_are_left_as_they_read():
    assert _render("{{ day }}", "zh-hans") == "2026年3月12日"
