"""Resident identity card numbers (GB 11643-1999): 17 digits and a check character."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.utils.translation import gettext_lazy as _

from civicgrid.core import clock

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")  # ASCII only: \d would also take other scripts' digits


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return _CHECK[total % 11]


def normalise(raw: str) -> str:
    """Full-width digits and X (as a Chinese input method types them) become ASCII; spaces go."""
    return unicodedata.normalize("NFKC", raw).strip().replace(" ", "").upper()


def problem(raw: str) -> str | None:
    """None when the number is valid; otherwise the reason, as a sentence for the user (lazily translated)."""
    number = normalise(raw)
    if not _PATTERN.match(number):
        return _("The ID number must be 17 digits followed by a digit or X.")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return _("The ID number holds an impossible birth date.")
    if born.year < 1880 or born > clock.today():
        return _("The ID number holds an impossible birth date.")
    if check_char(number[:17]) != number[17]:
        return _("The ID number has a wrong check digit.")
    return None


def is_valid(raw: str) -> bool:
    return problem(raw) is None


def birth_date(number: str) -> dt.date:
    return dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def gender(number: str) -> str:
    return "male" if int(number[16]) % 2 else "female"


def make(region: str, born: dt.date, sequence: int, *, male: bool) -> str:
    """Build a synthetic, checksum-valid number (demo data and tests)."""
    seq = sequence % 500 * 2 + (1 if male else 0)
    first17 = f"{region[:6]}{born:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)
