"""Form fields shared by every module."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-()]")
_PHONE = re.compile(r"\+?\d{7,15}")


class PhoneField(forms.CharField):
    """A phone number as people write it (spaces, dashes, brackets), kept as digits with an optional +."""

    default_error_messages = {"invalid": _("Write the phone number with digits only.")}

    def __init__(self, *, autocomplete: str = "tel", **kwargs):
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": autocomplete}),
        )
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        return _SEPARATORS.sub("", super().to_python(value))

    def validate(self, value) -> None:
        super().validate(value)
        if value and not _PHONE.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
