from __future__ import annotations

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.territory.models import Kind


class TerritoryEditForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, required=False)
    boundary = forms.CharField(
        label=_("Boundary (GeoJSON polygon)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def clean_boundary(self):
        raw = self.cleaned_data["boundary"].strip()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("This is not JSON: %(err)s") % {"err": exc.msg}) from None


class TerritoryAddForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    code = forms.CharField(
        label=_("Code"),
        max_length=24,
        required=False,
        help_text=_("Leave empty for a grid or unit to take the next free code."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, required=False)


class TerritoryMoveForm(forms.Form):
    new_parent = forms.TypedChoiceField(label=_("New parent"), coerce=int)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].choices = [(t.pk, f"{t.name} ({t.code})") for t in targets]
