"""Form widgets shared by every module."""

from __future__ import annotations

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker. It takes only ISO dates (yyyy-mm-dd), so the value is always written
    so: in the language's own format (1954/12/13 in Chinese) the browser shows an empty field, and
    saving then loses the date."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")
