"""Forms of the party-work pages. They parse and shape input; the rules live in the services, whose
refusals the views put back on the field they name."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core import clock
from civicgrid.core.widgets import DateInput
from civicgrid.partywork.models import ContactMethod, PledgeCategory


class ContactForm(forms.Form):
    method = forms.ChoiceField(
        label=_("How"), choices=ContactMethod.choices, initial=ContactMethod.VISIT, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("optional, a few words")}),
    )
    contacted_on = forms.DateField(label=_("Date"), required=False, widget=DateInput)


class PairForm(forms.Form):
    households = forms.TypedMultipleChoiceField(
        label=_("Households"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Pick at least one household.")},
    )

    def __init__(self, *args, households=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["households"].choices = [(h.pk, str(h.pk)) for h in households]


class HandOverForm(forms.Form):
    to_member = forms.TypedChoiceField(
        label=_("Hand the households to"), coerce=int, required=False, empty_value=None
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_member"].choices = [("", _("nobody for now: leave them unpaired"))] + [
            (m.pk, f"{m} · {'、'.join(g.name for g in m.grids)}") for m in candidates
        ]


class RegisterForm(forms.Form):
    community = forms.TypedChoiceField(label=_("Community where you live"), coerce=int)
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50, required=False)
    workplace = forms.CharField(label=_("Workplace"), max_length=120)
    reported_on = forms.DateField(label=_("Reported on"), required=False, widget=DateInput)

    def __init__(self, *args, communities=(), name_required=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].choices = [(c.pk, c.name) for c in communities]
        if name_required:
            self.fields["name"].required = True
            self.fields["community"].label = _("Community")


class PledgeForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=PledgeCategory.choices)
    what = forms.CharField(
        label=_("What you will do"),
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": _("e.g. maths tutoring on Saturdays")}),
    )


class ServiceForm(forms.Form):
    done_on = forms.DateField(label=_("Date"), widget=DateInput)
    hours = forms.DecimalField(
        label=_("Hours"),
        min_value=0.1,
        max_value=24,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
    )
    what = forms.CharField(label=_("What was done"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    pledge = forms.TypedChoiceField(label=_("Pledge"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, pledges=(), **kwargs):
        kwargs.setdefault("initial", {"done_on": clock.today()})
        super().__init__(*args, **kwargs)
        self.fields["pledge"].choices = [("", _("— none —"))] + [(p.pk, p.what) for p in pledges]


class DecideForm(forms.Form):
    note = forms.CharField(label=_("Reason"), max_length=200, required=False)
