"""The resident's self-registration forms ("letter from home", 家书): themselves first, then the
members of their household, or an update of their own details. Every field is checked here, so a
bad ID number is named on its own field and nothing typed is lost.
"""

from __future__ import annotations

import re
import uuid

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.core import idcard
from civicgrid.core.fields import PhoneField
from civicgrid.registry.models import Relation

MAX_MEMBERS = 9


def _id_number_field(required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=_("ID number"),
        max_length=24,
        required=required,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
        help_text=_("18 characters, as on the identity card. Stored encrypted."),
    )


class PersonForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    id_number = _id_number_field()
    relation = forms.ChoiceField(label=_("Relation to head"), choices=Relation.choices, initial=Relation.HEAD)
    phone = PhoneField(label=_("Phone (optional)"), required=False)

    def clean_name(self) -> str:
        return self.cleaned_data["name"].strip()

    def clean_id_number(self) -> str:
        number = idcard.normalise(self.cleaned_data["id_number"])
        why = idcard.problem(number)
        if why:
            raise forms.ValidationError(why)
        return number

    def person(self) -> dict:
        return {k: self.cleaned_data.get(k, "") for k in ("name", "id_number", "relation", "phone")}


class MemberForm(PersonForm):
    relation = forms.ChoiceField(
        label=_("Relation to head"), choices=Relation.choices, initial=Relation.CHILD
    )


class _Members(forms.BaseFormSet):
    def _construct_form(self, i, **kwargs):
        # Every row may stay empty, also those re-shown from a previous post: empty rows are skipped.
        kwargs.setdefault("empty_permitted", True)
        kwargs.setdefault("use_required_attribute", False)
        return super()._construct_form(i, **kwargs)

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            number = form.cleaned_data.get("id_number") if form.has_changed() else None
            if not number:
                continue
            if number in seen:
                form.add_error("id_number", _("The same ID number is given twice."))
            seen.add(number)


MemberFormSet = forms.formset_factory(
    MemberForm, formset=_Members, extra=0, max_num=MAX_MEMBERS, absolute_max=MAX_MEMBERS
)


class SelfRegistrationForm(PersonForm):
    """The resident themselves; `members` (a formset) carries the rest of the household."""

    note = forms.CharField(
        label=_("Anything the grid chief should know (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: back from work in another city since March."),
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=36)

    def __init__(self, data=None, *, kind: str = "register", initial=None, members_initial=None):
        super().__init__(data, initial=initial)
        self.kind = kind
        self.members = None
        if kind == "register":
            self.members = MemberFormSet(data, prefix="members", initial=members_initial)
        if kind == "update":
            del self.fields["relation"]
            self.fields["phone"].label = _("New phone (optional)")
            self.fields["note"].label = _("What has changed?")
            self.fields["note"].required = True
            self.fields["note"].help_text = _(
                "For example: new name after marriage, moved back home, new phone."
            )

    @classmethod
    def grown(cls, data, *, kind: str) -> SelfRegistrationForm:
        """The form as posted, unchecked, with one more empty member row ("add a member")."""
        fields = ("name", "id_number", "relation", "phone", "note", "idempotency_key")
        try:
            total = min(int(data.get("members-TOTAL_FORMS") or 0), MAX_MEMBERS)
        except ValueError:
            total = 0
        rows = []
        for i in range(max(total, 0)):
            row = {f: data.get(f"members-{i}-{f}", "") for f in MemberForm.base_fields}
            rows.append({k: v for k, v in row.items() if v})
        if len(rows) < MAX_MEMBERS:
            rows.append({})
        return cls(kind=kind, initial={f: data.get(f, "") for f in fields}, members_initial=rows)

    def clean_idempotency_key(self) -> str:
        raw = self.cleaned_data["idempotency_key"]
        try:
            return str(uuid.UUID(raw))
        except ValueError:
            raise forms.ValidationError(_("The form has expired: reload the page and try again.")) from None

    def is_valid(self) -> bool:
        own = super().is_valid()
        return (self.members.is_valid() if self.members is not None else True) and own

    def clean(self):
        data = super().clean()
        if self.members is not None and self.members.is_bound and data.get("id_number"):
            for form in self.members.forms:
                if (
                    form.is_valid()
                    and form.has_changed()
                    and form.cleaned_data.get("id_number") == data["id_number"]
                ):
                    form.add_error("id_number", _("The same ID number is given twice."))
        return data

    def people(self) -> tuple[list[dict], list[int | None]]:
        """(people, where): the resident then the filled member rows; `where[i]` is the row a person
        came from (None for the resident), to put a refusal from the service on the right field.
        """
        first = self.person()
        if self.kind == "update":
            first["relation"] = ""
        people, where = [first], [None]
        for index, form in enumerate(self.members.forms if self.members is not None else []):
            if form.has_changed():
                people.append(form.person())
                where.append(index)
        return people, where

    def add_service_error(self, field: str | None, message: str, where: list[int | None]) -> None:
        """A refusal from the service names `members-<k>-<field>` by position among the people sent."""
        match = re.fullmatch(r"members-(\d+)-(\w+)", field or "")
        if match and self.members is not None:
            position = int(match.group(1)) + 1
            row = where[position] if position < len(where) else None
            if row is not None and match.group(2) in self.members.forms[row].fields:
                self.members.forms[row].add_error(match.group(2), message)
                return
        self.add_error(field if field in self.fields else None, message)
