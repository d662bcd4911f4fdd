"""Reading registry import files: CSV (UTF-8 or GBK) and XLSX, with Chinese or English headers."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from django.utils.translation import gettext as _

from civicgrid.core.errors import ApplicationError

# Accepted headers, Chinese and English, for each column.
HEADERS = {
    "house_code": ("house_code", "门牌编码", "房屋编码"),
    "household_number": ("household_number", "户号", "户编号"),
    "relation": ("relation", "与户长关系", "与户主关系", "关系"),
    "name": ("name", "姓名"),
    "gender": ("gender", "性别"),
    "birth_date": ("birth_date", "出生日期"),
    "ethnicity": ("ethnicity", "民族"),
    "id_number": ("id_number", "身份证号", "公民身份号码", "身份证号码"),
    "phone": ("phone", "联系电话", "电话", "手机号"),
    "residence_type": ("residence_type", "居住类型", "人员类型"),
    "relocation_type": ("relocation_type", "搬迁类型"),
    "tags": ("tags", "标签", "特殊人群"),
}
REQUIRED = ("house_code", "name", "id_number")
TEMPLATE_HEADER = [
    "门牌编码",
    "户号",
    "与户长关系",
    "姓名",
    "性别",
    "出生日期",
    "民族",
    "身份证号",
    "联系电话",
    "居住类型",
    "搬迁类型",
    "标签",
]

# Values as people write them in Chinese spreadsheets → our codes.
VALUE_MAP = {
    "gender": {"男": "male", "女": "female"},
    "relation": {
        "户长": "head",
        "户主": "head",
        "本人": "head",
        "配偶": "spouse",
        "妻": "spouse",
        "夫": "spouse",
        "子": "child",
        "女": "child",
        "子女": "child",
        "儿子": "child",
        "女儿": "child",
        "父亲": "parent",
        "母亲": "parent",
        "父母": "parent",
        "孙子": "grandchild",
        "孙女": "grandchild",
        "孙子女": "grandchild",
        "祖父母": "grandparent",
        "兄弟姐妹": "sibling",
        "儿媳": "child_in_law",
        "女婿": "child_in_law",
        "其他": "other",
    },
    "residence_type": {
        "户籍": "registered",
        "户籍人口": "registered",
        "流动": "floating",
        "流动人口": "floating",
        "搬迁": "relocated",
        "搬迁人口": "relocated",
    },
    "relocation_type": {
        "水库移民": "reservoir",
        "生态移民": "ecological",
        "扶贫搬迁": "poverty",
        "易地扶贫搬迁": "poverty",
    },
}


@dataclass
class Row:
    number: int  # spreadsheet row number, header = 1
    values: dict


class FileProblem(ApplicationError):
    pass


CHUNK = 1 << 20


def sniff_encoding(handle: BinaryIO) -> tuple[str, int]:
    """(encoding, line count) of a CSV, read in chunks so a large file never sits in memory.

    UTF-8 (with or without BOM) first, then GB 18030, the superset of GBK that Chinese Excel writes.
    """
    for encoding in ("utf-8-sig", "gb18030"):
        handle.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        lines, last = 0, b"\n"
        try:
            while chunk := handle.read(CHUNK):
                decoder.decode(chunk)
                lines += chunk.count(b"\n")
                last = chunk[-1:]
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        handle.seek(0)
        return encoding, lines + (last != b"\n")
    raise FileProblem(_("The file is neither UTF-8 nor GBK text."))


def _header_keys(header: list) -> list[str | None]:
    lookup = {alias.strip().lower(): key for key, aliases in HEADERS.items() for alias in aliases}
    keys = [lookup.get(str(h or "").strip().lower()) for h in header]
    missing = [k for k in REQUIRED if k not in keys]
    if missing:
        raise FileProblem(_("The header row lacks these columns: %(cols)s") % {"cols": ", ".join(missing)})
    return keys


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(name: str, handle: BinaryIO) -> tuple[int, Iterator[Row]]:
    """(row count, rows) from a CSV or XLSX file; the count lets progress be shown from the start.

    The rows are read as they are consumed, so memory stays flat however long the file is.
    """
    lower = name.lower()
    if lower.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(handle, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a damaged file
            raise FileProblem(_("The spreadsheet cannot be read: %(err)s") % {"err": exc}) from None
        sheet = book.worksheets[0]
        all_rows = sheet.iter_rows(values_only=True)
        header = next(all_rows, None)
        if header is None:
            raise FileProblem(_("The file is empty."))
        keys = _header_keys(list(header))
        total = max((sheet.max_row or 1) - 1, 0)
        source = ([_cell(v) for v in r] for r in all_rows)
    elif lower.endswith(".csv"):
        encoding, lines = sniff_encoding(handle)
        text = io.TextIOWrapper(handle, encoding=encoding, newline="")
        reader = csv.reader(text)
        header = next(reader, None)
        if header is None:
            raise FileProblem(_("The file is empty."))
        keys = _header_keys(header)
        total = max(lines - 1, 0)
        source = ([c.strip() for c in r] for r in reader)
    else:
        raise FileProblem(_("Upload a .csv or .xlsx file."))
    columns = [(j, k) for j, k in enumerate(keys) if k]

    def rows() -> Iterator[Row]:
        for i, cells in enumerate(source, start=2):
            if not any(cells):
                continue
            n = len(cells)
            yield Row(number=i, values={k: cells[j] if j < n else "" for j, k in columns})

    return total, rows()


def normalise_values(values: dict) -> dict:
    data = {}
    for key in (
        "name",
        "gender",
        "birth_date",
        "ethnicity",
        "id_number",
        "phone",
        "relation",
        "residence_type",
        "relocation_type",
    ):
        value = (values.get(key) or "").strip()
        if key in VALUE_MAP:
            value = VALUE_MAP[key].get(value, value)
        if value or key in ("id_number", "name"):
            data[key] = value
    return data
