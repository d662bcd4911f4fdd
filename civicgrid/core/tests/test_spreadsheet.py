"""Exports neutralise cells a spreadsheet would run as formulas (CSV/formula injection)."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from civicgrid.core.spreadsheet import neutralise


@pytest.mark.parametrize(
    "value",
    ["=1+2", "+1", "-1+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1", "\n=1", '=HYPERLINK("http://x","y")'],
)
def test_a_cell_starting_like_a_formula_is_written_as_text(value):
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "13800000000", "a=b", "", "1+1"])
def test_ordinary_text_is_left_alone(value):
    assert neutralise(value) == value


@pytest.mark.parametrize("value", [None, 3, -5, 2.5, True])
def test_values_that_are_not_text_are_left_alone(value):
    assert neutralise(value) is value


def test_a_neutralised_cell_is_a_string_in_the_workbook_not_a_formula():
    book = Workbook()
    sheet = book.active
    sheet["A1"] = "=1+2"
    sheet["A2"] = neutralise("=1+2")
    buffer = io.BytesIO()
    book.save(buffer)
    reread = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert reread["A1"].data_type == "f"  # what an unneutralised export would carry
    assert reread["A2"].data_type == "s"
    assert reread["A2"].value == "'=1+2"


@pytest.mark.parametrize(
    ("value", "kept"), [("灯\x01\x02坏了\x0b", "灯坏了"), ("\x01=1+2", "'=1+2"), ("a\tb\nc", "a\tb\nc")]
)
def test_control_characters_a_sheet_cannot_hold_are_dropped_and_the_file_opens(value, kept):
    assert neutralise(value) == kept
    book = Workbook(write_only=True)
    book.create_sheet().append([neutralise(value)])
    out = io.BytesIO()
    book.save(out)  # openpyxl refuses the raw value: IllegalCharacterError
    out.seek(0)
    assert load_workbook(out).active["A1"].value == kept
