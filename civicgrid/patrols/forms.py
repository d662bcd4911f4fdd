"""Forms of the patrol pages. They parse and shape input; the services hold every rule."""

from __future__ import annotations

import datetime as dt
import json

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.cases.forms import category_choices
from civicgrid.core.widgets import DateInput

DATE = DateInput()
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class TeamForm(forms.Form):
    territory = forms.ChoiceField(label=_("Place (community or grid)"))
    name = forms.CharField(label=pgettext_lazy("team", "Name"), max_length=80)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = [(str(p.pk), p.label) for p in places]


class TeamEditForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("team", "Name"), max_length=80)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    leader = forms.ChoiceField(label=_("Team leader"), required=False)

    def __init__(self, *args, members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].choices = [("", "—")] + [
            (str(m.user_id), m.display_name) for m in members if m.user_id
        ]


class MemberForm(forms.Form):
    user = forms.ChoiceField(label=_("An account"), required=False)
    name = forms.CharField(
        label=_("Or a resident without an account"),
        max_length=50,
        required=False,
        help_text=_("Only the name is kept here; the leader checks them in and out."),
    )

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "—")] + [(str(u.pk), f"{u} · {u.role_label}") for u in candidates]


class AreaForm(forms.Form):
    territory = forms.ChoiceField(label=_("Grid or unit"), required=False)
    name = forms.CharField(label=pgettext_lazy("area", "Name"), max_length=80, required=False)
    route = forms.CharField(
        label=_("Or a route or area drawn as GeoJSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "mono", "spellcheck": "false"}),
        help_text=_(
            'A LineString route or a Polygon, e.g. {"type": "LineString", "coordinates": [[lon, lat], …]}'
        ),
    )

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = [("", "—")] + [(str(p.pk), p.name) for p in places]

    def clean_route(self):
        raw = self.cleaned_data["route"].strip()
        if not raw:
            return None
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(_("This is not JSON: %(err)s") % {"err": exc.msg}) from None


class ShiftForm(forms.Form):
    day = forms.DateField(label=_("Day"), widget=DATE)
    start = forms.TimeField(label=pgettext_lazy("patrol shift", "From"), widget=TIME)
    end = forms.TimeField(
        label=pgettext_lazy("patrol shift", "To"),
        widget=TIME,
        help_text=_("An end before the start means the next day (a night shift)."),
    )
    area = forms.ChoiceField(label=_("Area"), required=False)
    members = forms.MultipleChoiceField(
        label=_("Members expected"), required=False, widget=forms.CheckboxSelectMultiple
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, areas=(), members=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].choices = [("", "—")] + [(str(a.pk), a.name) for a in areas]
        self.fields["members"].choices = [(str(m.pk), m.display_name) for m in members]

    def times(self) -> tuple[dt.datetime, dt.datetime]:
        day, start, end = (self.cleaned_data[k] for k in ("day", "start", "end"))
        starts = timezone.make_aware(dt.datetime.combine(day, start))
        ends = timezone.make_aware(
            dt.datetime.combine(day if end > start else day + dt.timedelta(days=1), end)
        )
        return starts, ends


class PointForm(forms.Form):
    """The position a phone may send with a tap; empty when the member does not share it."""

    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    member = forms.IntegerField(required=False, widget=forms.HiddenInput)


class FindingForm(PointForm):
    description = forms.CharField(label=_("What did you find?"), widget=forms.Textarea(attrs={"rows": 3}))
    place = forms.CharField(label=pgettext_lazy("patrol", "Where"), max_length=200, required=False)
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}),
    )
    raise_case = forms.BooleanField(label=_("Raise it as a case now"), required=False)
    category = forms.ChoiceField(label=_("Category of the case"), required=False)

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(list(categories), blank="—")


class RaiseForm(forms.Form):
    category = forms.ChoiceField(label=_("Category of the case"))

    def __init__(self, *args, categories=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].choices = category_choices(list(categories), blank="—")


class SettleForm(forms.Form):
    note = forms.CharField(label=_("How was it settled?"), max_length=200)


class PeriodForm(forms.Form):
    first = forms.DateField(label=_("From"), required=False, widget=DATE)
    last = forms.DateField(label=_("To"), required=False, widget=DATE)
    territory = forms.ChoiceField(label=_("Place"), required=False)

    def __init__(self, *args, places=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["territory"].choices = [("", _("All my area"))] + [
            (str(p.pk), f"{p.indent}{p.name}") for p in places
        ]
