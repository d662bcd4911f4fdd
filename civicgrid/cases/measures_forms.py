"""Forms of the measures pages: the overview's place and period, and the ledger's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.measures import PERIOD_KINDS
from civicgrid.cases.models import Channel, State, Tier
from civicgrid.core.widgets import DateInput

DATE = DateInput()
LEDGER_STATES = [("open", _("open")), ("overdue", _("overdue")), *State.choices]


class MeasuresForm(forms.Form):
    node = forms.IntegerField(required=False, min_value=1)
    period = forms.ChoiceField(label=_("Period"), choices=list(PERIOD_KINDS.items()), required=False)
    start = forms.DateField(label=_("From"), required=False, widget=DATE)
    end = forms.DateField(label=_("To"), required=False, widget=DATE)


class LedgerForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=60)
    territory = forms.IntegerField(required=False, min_value=1)
    state = forms.ChoiceField(label=_("State"), choices=[("", _("any")), *LEDGER_STATES], required=False)
    category = forms.CharField(label=_("Category"), required=False, max_length=40)
    tier = forms.ChoiceField(label=_("Tier"), choices=[("", _("any")), *Tier.choices], required=False)
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("any")), *Channel.choices], required=False
    )
    department = forms.IntegerField(required=False, min_value=1)
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DATE)
    received_to = forms.DateField(label=_("Received until"), required=False, widget=DATE)

    def clean(self):
        data = super().clean()
        first, last = data.get("received_from"), data.get("received_to")
        if first and last and last < first:
            self.add_error("received_to", _("The last day comes before the first."))
        return data


def readable(form) -> dict:
    """What the form could read: an invalid field is left out (and shown with its error)."""
    if not form.is_bound:
        return {}
    form.is_valid()
    return {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
