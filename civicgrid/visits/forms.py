"""Forms of the visit pages. They parse and shape input; the services decide what is allowed."""

from __future__ import annotations

import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.cases.forms import PhotosField, category_choices
from civicgrid.core import clock
from civicgrid.core.widgets import DateInput
from civicgrid.registry.models import ResidentStatus
from civicgrid.visits import services
from civicgrid.visits.models import RuleTarget, Visit, VisitKind

FLAG_CHOICES = [(name, Visit._meta.get_field(name).verbose_name) for name in Visit.FLAGS]
CORRECTABLE = [
    ("name", pgettext_lazy("person", "name")),
    ("phone", _("phone")),
    ("id_number", _("ID number")),
    ("birth_date", _("birth date (YYYY-MM-DD)")),
    ("ethnicity", _("ethnicity")),
    ("status", _("status")),
]


class VisitForm(forms.Form):
    household = forms.IntegerField(widget=forms.HiddenInput)
    next = forms.CharField(widget=forms.HiddenInput, required=False, max_length=300)
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=64)
    kind = forms.ChoiceField(label=_("Kind of visit"), widget=forms.RadioSelect)
    visited_on = forms.DateField(label=_("Visited on"), widget=DateInput)
    resident = forms.TypedChoiceField(label=_("Who was met"), required=False, coerce=int, empty_value=None)
    flags = forms.MultipleChoiceField(
        label=_("At a glance"), required=False, choices=FLAG_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    findings = forms.CharField(
        label=_("What was found"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = PhotosField(label=_("Photos (JPEG or PNG, up to 5 MB each)"), required=False)

    raise_case = forms.BooleanField(label=_("Raise a case"), required=False)
    case_category = forms.ChoiceField(label=_("Category"), required=False)
    case_description = forms.CharField(
        label=_("The matter"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    raise_need = forms.BooleanField(label=_("Note a need"), required=False)
    need = forms.CharField(
        label=_("What the household needs"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    correct = forms.BooleanField(label=_("Registry data is wrong: propose a correction"), required=False)
    correction_resident = forms.TypedChoiceField(
        label=_("Whose data"), required=False, coerce=int, empty_value=None
    )
    correction_field = forms.ChoiceField(label=_("What"), required=False, choices=[("", "—"), *CORRECTABLE])
    correction_value = forms.CharField(label=_("Should read"), required=False, max_length=200)
    correction_status = forms.ChoiceField(
        label=_("Status should be"), required=False, choices=[("", "—"), *ResidentStatus.choices]
    )
    correction_note = forms.CharField(label=_("Note for the reviewer"), required=False, max_length=500)

    def __init__(self, *args, kinds: list[str], members: list, categories: list, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("idempotency_key", uuid.uuid4().hex)
        kwargs["initial"].setdefault("visited_on", clock.today())
        super().__init__(*args, **kwargs)
        labels = dict(VisitKind.choices)
        self.fields["kind"].choices = [(k, labels[k]) for k in kinds]
        self.members = {m.pk: m for m in members}
        people = [(m.pk, f"{m.name} · {m.get_relation_display()}") for m in members]
        self.fields["resident"].choices = [("", _("the household")), *people]
        self.fields["correction_resident"].choices = [("", "—"), *people]
        self.categories = {c.code: c for c in categories}
        self.fields["case_category"].choices = category_choices(categories, blank="—")
        self.fields["visited_on"].widget.attrs["max"] = clock.today().isoformat()

    def clean(self):
        data = super().clean()
        if data.get("raise_case"):
            if not data.get("case_category"):
                self.add_error("case_category", _("Choose a category for the case."))
            if not (data.get("case_description") or "").strip():
                self.add_error("case_description", _("Describe the matter for the case."))
        if data.get("raise_need") and not (data.get("need") or "").strip():
            self.add_error("need", _("Say what is needed."))
        if data.get("correct"):
            if data.get("correction_resident") not in self.members:
                self.add_error("correction_resident", _("Choose whose data is wrong."))
            name = data.get("correction_field")
            if not name:
                self.add_error("correction_field", _("Choose what is wrong."))
            elif name == "status" and not data.get("correction_status"):
                self.add_error("correction_status", _("Choose the status."))
            elif name != "status" and not (data.get("correction_value") or "").strip():
                self.add_error("correction_value", _("Write what it should read."))
        return data

    def visit_input(self, household, photos: list) -> services.VisitInput:
        data = self.cleaned_data
        raised = None
        if data["raise_case"]:
            raised = services.RaisedCase(
                category=self.categories[data["case_category"]], description=data["case_description"]
            )
        correction = None
        if data["correct"]:
            name = data["correction_field"]
            value = data["correction_status"] if name == "status" else data["correction_value"]
            correction = services.Correction(
                changes={name: value.strip()},
                resident=self.members[data["correction_resident"]],
                note=data["correction_note"],
            )
        return services.VisitInput(
            household=household,
            kind=data["kind"],
            visited_on=data["visited_on"],
            resident=self.members.get(data["resident"]) if data["resident"] else None,
            findings=data["findings"],
            flags=set(data["flags"]),
            photos=photos,
            case=raised,
            need=data["need"] if data["raise_need"] else "",
            correction=correction,
        )


class RuleForm(forms.Form):
    territory = forms.TypedChoiceField(label=_("Place"), coerce=int)
    target = forms.ChoiceField(label=_("Who is visited"), choices=RuleTarget.choices)
    tag = forms.ChoiceField(label=_("Tag (for a tag rule)"), required=False)
    interval_days = forms.IntegerField(
        label=_("Every (days)"),
        min_value=1,
        max_value=services.MAX_INTERVAL_DAYS,
        help_text=_("For closed cases: days after closing."),
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args, places: list, tags: list, **kwargs):
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("starts_on", clock.today())
        super().__init__(*args, **kwargs)
        self.places = {p.pk: p for p in places}
        self.tags = {t.code: t for t in tags}
        self.fields["territory"].choices = [(p.pk, p.label) for p in places]
        self.fields["tag"].choices = [("", "—"), *((t.code, str(t)) for t in tags)]


class RuleEditForm(forms.Form):
    interval_days = forms.IntegerField(
        label=_("Every (days)"), min_value=1, max_value=services.MAX_INTERVAL_DAYS
    )
    starts_on = forms.DateField(label=_("Starts on"), widget=DateInput)
    active = forms.BooleanField(label=_("Active"), required=False)


class NeedMeetForm(forms.Form):
    note = forms.CharField(label=_("How it was met"), required=False, max_length=1000)
