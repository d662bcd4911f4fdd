from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core.widgets import DateInput
from civicgrid.registry.models import (
    Gender,
    HouseholdStatus,
    Relation,
    RelocationType,
    ResidenceType,
    ResidentStatus,
)


class ResidentForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=18,
        required=False,
        help_text=_("Leave empty to keep the current one."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    birth_date = forms.DateField(label=_("Birth date"), widget=DateInput)
    ethnicity = forms.CharField(label=_("Ethnicity"), max_length=20, initial="汉族")
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
        help_text=_("Leave empty to keep the current one."),
    )
    relation = forms.ChoiceField(label=_("Relation to head"), choices=Relation.choices)
    residence_type = forms.ChoiceField(label=_("Residence type"), choices=ResidenceType.choices)
    relocation_type = forms.ChoiceField(
        label=_("Relocation type"), choices=RelocationType.choices, required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=ResidentStatus.choices)

    def changed_data_for_service(self) -> dict:
        data = dict(self.cleaned_data)
        for protected in ("id_number", "phone"):
            if not data.get(protected):
                data.pop(protected, None)  # empty means "keep": the form never shows the plaintext
        return data


class NewResidentForm(ResidentForm):
    id_number = forms.CharField(label=_("ID number"), max_length=18)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel"}),
    )
    status = None
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", _("from the ID number"))] + Gender.choices, required=False
    )
    birth_date = forms.DateField(
        label=_("Birth date"),
        required=False,
        widget=DateInput,
        help_text=_("Taken from the ID number when left empty."),
    )

    def changed_data_for_service(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v not in ("", None)}


class NewHouseholdForm(NewResidentForm):
    unit = forms.TypedChoiceField(label=_("Unit"), coerce=int)
    address = forms.CharField(
        label=_("Address"),
        max_length=200,
        required=False,
        help_text=_("For a new house. Leave empty when giving an existing house code."),
    )
    house_code = forms.CharField(label=_("Existing house code"), max_length=16, required=False)
    relation = None
    field_order = [
        "unit",
        "address",
        "house_code",
        "name",
        "id_number",
        "gender",
        "birth_date",
        "ethnicity",
        "phone",
        "residence_type",
        "relocation_type",
    ]

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [(u.pk, u.label) for u in units]

    def clean(self):
        data = super().clean()
        if not data.get("address") and not data.get("house_code"):
            self.add_error("address", _("Give the address of a new house, or the code of an existing one."))
        return data

    def head_data(self) -> dict:
        skip = {"unit", "address", "house_code"}
        return {k: v for k, v in self.cleaned_data.items() if k not in skip and v not in ("", None)}


class HouseholdForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=HouseholdStatus.choices)
    head = forms.TypedChoiceField(label=_("Household head"), coerce=int, required=False)
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["head"].choices = [("", "—")] + [(m.pk, m.name) for m in members]


class RevealForm(forms.Form):
    field = forms.ChoiceField(choices=[("id_number", _("ID number")), ("phone", _("Phone"))])
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (CSV or XLSX, UTF-8 or GBK)"))
    territory = forms.TypedChoiceField(label=_("Into"), coerce=int)
    all_or_nothing = forms.BooleanField(
        label=_("All or nothing: write nothing if any row has a problem"), required=False, initial=True
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = [(t.pk, f"{t.name} ({t.get_level_display()})") for t in places]


class LeaveForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened"), choices=[("moved_out", _("moved out")), ("deceased", _("died"))]
    )
    on = forms.DateField(label=_("Date"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=200, required=False)


class ApproveForm(forms.Form):
    household = forms.TypedChoiceField(
        label=_("Register them as"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("A returning resident may join a household already registered at this house."),
    )

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._households = {h.pk: h for h in households}
        self.fields["household"].choices = [("", _("a new household at this house"))] + [
            (
                h.pk,
                _("new members of %(n)s (%(head)s)")
                % {"n": h.number, "head": h.head.name if h.head else "—"},
            )
            for h in households
        ]

    def chosen_household(self):
        return self._households.get(self.cleaned_data.get("household"))


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Say why, plainly: the person who sent it will read it."),
    )
