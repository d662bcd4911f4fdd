"""The resident's forms: a report (with the place known from a door plate, or found on the phone),
a tracking code, a rating.
"""

from __future__ import annotations

import re
import uuid

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.cases.models import Rating
from civicgrid.core.fields import PhoneField
from civicgrid.portal import selectors
from civicgrid.territory.models import Level


def _category_choices() -> list:
    choices: list = [("", _("Choose what it is about"))]
    for top, children in selectors.category_groups():
        if children:
            choices.append((str(top), [(top.pk, str(top)), *[(c.pk, str(c)) for c in children]]))
        else:
            choices.append((top.pk, str(top)))
    return choices


class ReportForm(forms.Form):
    category = forms.TypedChoiceField(label=_("What is it about?"), coerce=int)
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What, where exactly, since when. Do not write other people's personal details."),
    )
    photo = forms.FileField(
        label=_("Photo (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        help_text=_("A JPEG or PNG photo, at most 5 MB."),
    )
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    community = forms.TypedChoiceField(
        label=_("Village or community"), coerce=int, required=False, empty_value=None
    )
    grid = forms.TypedChoiceField(label=_("Grid"), coerce=int, required=False, empty_value=None)
    anonymous = forms.BooleanField(
        label=_("Report anonymously (suggestion box)"),
        required=False,
        help_text=_(
            "We keep no name, no phone number and no internet address. "
            "Only the tracking code links you to it."
        ),
    )
    name = forms.CharField(
        label=pgettext_lazy("person", "Your name (optional)"), max_length=50, required=False
    )
    phone = PhoneField(
        label=_("Your phone (optional)"),
        required=False,
        help_text=_("So the person handling it can call you back. Stored encrypted."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=36)

    def __init__(self, *args, house=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.house = house
        self.fields["category"].choices = _category_choices()
        if house is not None:
            for name in ("lon", "lat", "community", "grid"):
                del self.fields[name]
            return
        by_town: dict[str, list] = {}
        for c in selectors.communities_public():
            by_town.setdefault(c.parent.name if c.parent_id else "", []).append((c.pk, c.name))
        self.fields["community"].choices = [("", _("Choose a place")), *by_town.items()]
        # The grid list follows the community chosen (htmx); without script, the whole community is used.
        self.fields["community"].widget.attrs.update(
            {"hx-get": reverse("portal:grids"), "hx-target": "#grid-field", "hx-swap": "outerHTML"}
        )
        chosen = self._chosen_community()
        self.fields["grid"].choices = [("", _("The whole village or community"))] + [
            (g.pk, g.name) for g in selectors.grids_public(chosen)
        ]

    def _chosen_community(self) -> int | None:
        raw = (self.data.get("community") if self.is_bound else None) or self.initial.get("community")
        try:
            return int(raw)
        except (TypeError, ValueError):
            return None

    def clean_category(self):
        category = selectors.category_public(self.cleaned_data["category"])
        if category is None:
            raise forms.ValidationError(_("Choose what it is about"))
        return category

    def clean_idempotency_key(self) -> str:
        raw = self.cleaned_data["idempotency_key"]
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            raise forms.ValidationError(_("The form has expired: reload the page and try again.")) from None

    def clean(self):
        data = super().clean()
        if data.get("anonymous"):
            data["name"], data["phone"] = "", ""
        if self.house is not None:
            return data
        data["territory"] = None
        has_point = data.get("lon") is not None and data.get("lat") is not None
        grid = selectors.place_public(data.get("grid"), Level.GRID)
        community = selectors.place_public(data.get("community"), Level.COMMUNITY)
        if grid is not None and community is not None and grid.parent_id == community.pk:
            data["territory"] = grid
        elif community is not None:
            data["territory"] = community
        if data["territory"] is None and not has_point:
            self.add_error("community", _("Use your location, or choose the place."))
        return data


class TrackForm(forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "autocapitalize": "characters",
                "autocomplete": "off",
                "spellcheck": "false",
                "placeholder": "C…",
            }
        ),
    )

    def clean_code(self) -> str:
        return re.sub(r"\s", "", self.cleaned_data["code"]).upper()


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How was it handled?"), choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("If you are not satisfied, say what is still wrong: the case will be reopened."),
    )
