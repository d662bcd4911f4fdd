"""Forms of the key-person pages. They parse input only; the services decide what is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from civicgrid.core.widgets import DateInput
from civicgrid.keypersons.models import COLOUR_ORDER, EndRule, KeyPersonCategory, RiskColour
from civicgrid.keypersons.services import MAX_CADENCE_DAYS


class ColourRadio(forms.RadioSelect):
    """Colour buttons: each option carries its colour as a class, and always its name as text."""

    template_name = "keypersons/widgets/colour_radio.html"


def category_label(category: KeyPersonCategory) -> str:
    if category.end_rule == EndRule.YEARS:
        rule = _("lapses after %(n)d years") % {"n": category.lapse_years}
    elif category.end_rule == EndRule.END_DATE:
        rule = _("end date entered")
    else:
        rule = _("yearly review")
    return f"{category} ({rule})"


class RegisterForm(forms.Form):
    resident = forms.IntegerField(
        label=_("Resident"),
        widget=forms.HiddenInput,
        error_messages={"required": _("Find the resident and choose them.")},
    )
    category = forms.TypedChoiceField(label=_("Category"), coerce=int)
    risk_colour = forms.ChoiceField(label=_("Colour"), choices=RiskColour.choices, widget=ColourRadio)
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this person is under management and why this colour."),
    )
    since = forms.DateField(label=_("Since"), widget=DateInput, required=False)
    until = forms.DateField(
        label=_("Until"),
        widget=DateInput,
        required=False,
        help_text=_(
            "Needed for community correction (the end of the sentence). Otherwise the category sets it."
        ),
    )

    def __init__(self, *args, categories: list[KeyPersonCategory], **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = {c.pk: c for c in categories}
        self.fields["category"].choices = [("", "—")] + [(c.pk, category_label(c)) for c in categories]

    def chosen_category(self) -> KeyPersonCategory | None:
        return self.categories.get(self.cleaned_data.get("category"))


class ReviewForm(forms.Form):
    risk_colour = forms.ChoiceField(label=_("New colour"), choices=RiskColour.choices, widget=ColourRadio)
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), min_length=1
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "review")
        super().__init__(*args, **kwargs)


class EndForm(forms.Form):
    reason = forms.CharField(
        label=_("Why management ends"), max_length=300, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "end")
        super().__init__(*args, **kwargs)


class CadenceForm(forms.Form):
    """One optional number per colour: empty means "as the node above says"."""

    def __init__(self, *args, inherited: dict[str, dict], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(RiskColour.choices)
        for colour in COLOUR_ORDER:
            shown = inherited[colour]
            self.fields[f"{colour}_days"] = forms.IntegerField(
                label=_("%(colour)s: visit every … days") % {"colour": labels[colour]},
                min_value=1,
                max_value=MAX_CADENCE_DAYS,
                required=False,
                help_text=_("Empty: every %(days)d days, as %(source)s says.")
                % {
                    "days": shown["inherited_days"],
                    "source": shown["inherited_from"] or _("the national default"),
                },
            )

    def days(self) -> dict[str, int | None]:
        return {c: self.cleaned_data.get(f"{c}_days") for c in COLOUR_ORDER}
