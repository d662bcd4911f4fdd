"""Forms of the staff case pages: the intake form and one small form per workflow action.

The forms only parse and shape input; every rule about cases lives in the services, whose errors
the views put back on the field they name.
"""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.cases.models import Category, Channel, Rating, Urgency
from civicgrid.core.fields import PhoneField

STAFF_CHANNELS = [
    Channel.HOTLINE_12345,
    Channel.NEIGHBOUR_HOTLINE,
    Channel.WALK_IN,
    Channel.WECHAT,
    Channel.SUGGESTION_BOX,
    Channel.VISIT,
]


def category_choices(categories: list[Category], *, blank: str | None = None) -> list:
    """Top-level categories in catalogue order; a parent with children becomes a group led by itself."""
    children: dict[int, list[Category]] = {}
    for c in categories:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    choices: list = [("", blank)] if blank is not None else []
    for c in categories:
        if c.parent_id:
            continue
        kids = children.get(c.pk, [])
        if kids:
            choices.append((str(c), [(c.code, str(c)), *((k.code, str(k)) for k in kids)]))
        else:
            choices.append((c.code, str(c)))
    return choices


def category_options(categories: list[Category]) -> list[tuple[str, str]]:
    """Flat, for a filter: a parent (which matches its children too), then its children indented."""
    options = []
    for entry in category_choices(categories):
        if isinstance(entry[1], list):
            first, *kids = entry[1]
            options.append(first)
            options.extend((code, f"· {name}") for code, name in kids)
        else:
            options.append(entry)
    return options


def active_categories() -> list[Category]:
    """The whole active catalogue in catalogue order (the measures pages use it too)."""
    from civicgrid.cases.selectors import categories_active

    return categories_active()


class CategorySelect(forms.Select):
    """Each option carries its category's default urgency, for intake.js to preselect it."""

    def __init__(self, *args, urgencies: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.urgencies = urgencies or {}

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if value in self.urgencies:
            option["attrs"]["data-urgency"] = self.urgencies[value]
        return option


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several files in one input; the service checks what they really are."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png", "multiple": True})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files if f]


def _note(label, *, required: bool = True, rows: int = 3) -> forms.CharField:
    return forms.CharField(
        label=label, required=required, max_length=2000, widget=forms.Textarea(attrs={"rows": rows})
    )


class IntakeForm(forms.Form):
    channel = forms.ChoiceField(label=_("Channel"), choices=[(c.value, c.label) for c in STAFF_CHANNELS])
    category = forms.ChoiceField(label=_("Category"))
    urgency = forms.ChoiceField(
        label=_("Urgency"),
        required=False,
        choices=[("", _("as the category says")), *Urgency.choices],
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        max_length=120,
        help_text=_("Optional: the start of the description is used when empty."),
    )
    description = _note(_("What the caller says"), rows=4)
    house_code = forms.CharField(
        label=_("House code (door plate)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    territory = forms.TypedChoiceField(label=_("Or a place"), required=False, coerce=int, empty_value=None)
    lon = forms.FloatField(
        label=_("Or longitude"),
        required=False,
        min_value=-180,
        max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    lat = forms.FloatField(
        label=_("and latitude"),
        required=False,
        min_value=-90,
        max_value=90,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    address = forms.CharField(label=_("Address"), required=False, max_length=200)
    reporter_name = forms.CharField(label=_("Caller's name"), required=False, max_length=50)
    reporter_phone = PhoneField(label=_("Caller's phone"), required=False, autocomplete="off")
    anonymous = forms.BooleanField(label=_("Anonymous: keep no name or phone"), required=False)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args, categories: list[Category], places: list, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        kwargs["initial"].setdefault("channel", Channel.NEIGHBOUR_HOTLINE)
        super().__init__(*args, **kwargs)
        self.categories = {c.code: c for c in categories}
        field = self.fields["category"]
        field.choices = category_choices(categories, blank="—")
        field.widget = CategorySelect(
            choices=field.choices, urgencies={c.code: c.default_urgency for c in categories}
        )
        field.widget.attrs["class"] = "js-category"
        self.fields["urgency"].widget.attrs["class"] = "js-urgency"
        self.fields["channel"].widget.attrs["autofocus"] = True
        self.places = {p.pk: p for p in places}
        self.fields["territory"].choices = [("", "—"), *((p.pk, p.label) for p in places)]

    def clean_category(self) -> Category:
        return self.categories[self.cleaned_data["category"]]

    def clean_house_code(self) -> str:
        return self.cleaned_data["house_code"].strip().upper()

    def clean(self):
        data = super().clean()
        if (data.get("lon") is None) != (data.get("lat") is None):
            self.add_error(
                "lat" if data.get("lat") is None else "lon", _("Give both longitude and latitude.")
            )
        if data.get("anonymous"):
            data["reporter_name"], data["reporter_phone"] = "", ""
        return data

    def place(self):
        return self.places.get(self.cleaned_data.get("territory"))


# --- The workflow actions. Each form is rendered with the action's name as its prefix.


class RespondForm(forms.Form):
    note = _note(_("Note (optional)"), required=False, rows=2)


class EscalateForm(forms.Form):
    note = _note(_("Why it goes up a tier"))


class ReturnForm(forms.Form):
    note = _note(_("Why it goes back down"))


class DispatchForm(forms.Form):
    departments = forms.TypedChoiceField(label=_("Lead department"), coerce=int)
    co_departments = forms.TypedMultipleChoiceField(
        label=_("Co-handling departments"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    note = _note(_("Instructions (optional)"), required=False, rows=2)

    def __init__(self, *args, departments: list, suggested: set[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.by_pk = {d.pk: d for d in departments}
        labelled = [
            (d.pk, _("%(name)s (handles this category)") % {"name": d.name} if d.pk in suggested else d.name)
            for d in departments
        ]
        self.fields["departments"].choices = [("", "—"), *labelled]
        self.fields["co_departments"].choices = labelled

    def chosen(self) -> list:
        """The lead first, then the co-handling departments (the lead never twice)."""
        lead = self.cleaned_data["departments"]
        rest = [pk for pk in self.cleaned_data["co_departments"] if pk != lead]
        return [self.by_pk[pk] for pk in [lead, *dict.fromkeys(rest)]]


class ResolveForm(forms.Form):
    note = _note(_("What was done"))
    on_the_spot = forms.BooleanField(label=_("Solved on the spot"), required=False)
    photos = PhotosField(label=_("Photos (JPEG or PNG, up to 5 MB each)"), required=False)


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("The reporter says"), choices=Rating.choices, widget=forms.RadioSelect)
    comment = _note(_("Comment"), required=False, rows=2)


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Tracking code of the case this one repeats"),
        max_length=20,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    note = _note(_("Why they are the same matter"), rows=2)

    def clean_into(self) -> str:
        return self.cleaned_data["into"].strip().upper()


class ExtensionRequestForm(forms.Form):
    days = forms.IntegerField(label=_("Extra working days"), min_value=1, max_value=30, initial=3)
    note = _note(_("Reason"), rows=2)


class ExtensionDecideForm(forms.Form):
    extension = forms.TypedChoiceField(label=_("Request"), coerce=int)
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("approve", _("Approve")), ("refuse", _("Refuse"))],
        widget=forms.RadioSelect,
    )
    note = _note(_("Note (optional)"), required=False, rows=2)

    def __init__(self, *args, pending: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.by_pk = {e.pk: e for e in pending}
        self.fields["extension"].choices = [
            (
                e.pk,
                _("+%(days)d working days, asked by %(who)s: %(reason)s")
                % {"days": e.days, "who": e.requested_by, "reason": e.reason[:80]},
            )
            for e in pending
        ]
        if len(pending) == 1:
            self.fields["extension"].initial = pending[0].pk


class CommentForm(forms.Form):
    note = _note(pgettext_lazy("internal note", "Note"))


ACTION_FORMS = {
    "respond": RespondForm,
    "escalate": EscalateForm,
    "return": ReturnForm,
    "dispatch": DispatchForm,
    "resolve": ResolveForm,
    "rate": RateForm,
    "merge": MergeForm,
    "request_extension": ExtensionRequestForm,
    "decide_extension": ExtensionDecideForm,
    "comment": CommentForm,
}
