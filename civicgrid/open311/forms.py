"""Input of the GeoReport v2 methods: the POST form and the GET requests query, each naming bad fields."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.open311.selectors import MAX_RESULTS, STATUS_STATES, WINDOW, RequestFilters, public_id

CJK = re.compile("[\u3400-\u9fff]")


class SubmitForm(forms.Form):
    """POST requests: the spec's fields. `email` and `device_id` are accepted and not kept."""

    service_code = forms.CharField(max_length=40)
    lat = forms.FloatField(required=False, min_value=-90, max_value=90)
    long = forms.FloatField(required=False, min_value=-180, max_value=180)
    address_string = forms.CharField(required=False, max_length=200)
    address_id = forms.CharField(required=False, max_length=16)
    account_id = forms.CharField(required=False)
    first_name = forms.CharField(required=False)
    last_name = forms.CharField(required=False)
    phone = forms.CharField(required=False, max_length=30)
    # Optional in the spec: a request without one is described by its service's name.
    description = forms.CharField(required=False, max_length=4000)
    media_url = forms.CharField(
        required=False,
        max_length=500,
        validators=[URLValidator(schemes=["http", "https"], message=gettext_lazy("Enter an http(s) URL."))],
    )

    def clean(self):
        data = super().clean()
        lat, lon = data.get("lat"), data.get("long")
        if {"lat", "long", "address_id"} & set(self.errors):
            return data  # the field's own error says it; "a location is required" would be a second
        if (lat is None) != (lon is None):
            raise forms.ValidationError(_("lat and long must be sent together."))
        if lat is None and not data.get("address_id"):
            if data.get("address_string"):
                raise forms.ValidationError(
                    _(
                        "lat/long or address_id required: this server places a request by coordinates "
                        "or by the house code on a door plate, not by address_string alone."
                    )
                )
            raise forms.ValidationError(_("lat/long or address_id required."))
        return data

    def reporter_name(self) -> str:
        first, last = self.cleaned_data["first_name"].strip(), self.cleaned_data["last_name"].strip()
        # Chinese names are written family name first, with no space.
        if CJK.search(first + last):
            return (last + first)[:50]
        return " ".join(p for p in (first, last) if p)[:50]

    def problems(self) -> list[str]:
        """Every error, each starting with the spec's name of the field at fault."""
        out = []
        for name, messages in self.errors.items():
            for message in messages:
                out.append(message if name == "__all__" else f"{name}: {message}")
        return out


# A "+" that was not percent-encoded in a query string arrives as a space: "…T00:00:00 08:00".
_UNENCODED_PLUS = re.compile(r" (\d{2}:?\d{2})$")
_YEAR_MONTH = re.compile(r"^(\d{4})(?:-(\d{2}))?$")


def _year_month(raw: str, *, end: bool) -> dt.datetime | None:
    """The W3C note's coarser forms, YYYY and YYYY-MM: their first moment, or their last for an end."""
    match = _YEAR_MONTH.match(raw)
    if not match:
        return None
    year, month = int(match[1]), int(match[2] or 0)
    if month > 12 or year < 1:
        return None
    first = dt.date(year, month or 1, 1)
    if not end:
        return dt.datetime.combine(first, dt.time.min)
    if month:
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    else:
        last = dt.date(year, 12, 31)
    return dt.datetime.combine(last, dt.time.max)


def _when(raw: str, name: str, *, end: bool) -> dt.datetime | None:
    raw = _UNENCODED_PLUS.sub(r"+\1", raw.strip())
    if not raw:
        return None
    try:
        value = parse_datetime(raw)
        if value is None:
            day = parse_date(raw)
            if day is not None:
                value = dt.datetime.combine(day, dt.time.max if end else dt.time.min)
            else:
                value = _year_month(raw, end=end)
        if value is not None and not timezone.is_aware(value):
            value = timezone.make_aware(value)
        if value is not None:
            value.astimezone(dt.UTC)  # a date at the edge of the calendar may not exist in UTC
    except (ValueError, OverflowError):
        value = None
    if value is None:
        raise ApplicationError(
            _("%(field)s is not a w3 datetime (e.g. 2026-01-01T00:00:00+08:00).") % {"field": name},
            field=name,
        )
    return value


def _listed(query, name: str) -> list[str]:
    """A list argument, comma delimited, the parameter possibly declared more than once."""
    return [part.strip() for raw in query.getlist(name) for part in raw.split(",") if part.strip()]


def request_filters(query) -> RequestFilters:
    """GET requests arguments. Optional arguments sent empty count as not sent, as the spec says."""
    raw_ids = _listed(query, "service_request_id")
    if raw_ids:
        # Ids that cannot be ours match nothing rather than failing the whole query.
        ids = (public_id(i) for i in raw_ids)
        return RequestFilters(ids=[i for i in ids if i is not None][:MAX_RESULTS])
    statuses = [s.lower() for s in _listed(query, "status")]
    wrong = [s for s in statuses if s not in STATUS_STATES]
    if wrong:
        raise ApplicationError(
            _("status must be open or closed, not %(value)s.") % {"value": ", ".join(wrong)}, field="status"
        )
    start = _when(query.get("start_date", ""), "start_date", end=False)
    end = _when(query.get("end_date", ""), "end_date", end=True)
    if start is None and end is None:
        end = clock.now()
    try:
        if start is None:
            start = end - WINDOW
        elif end is None:
            end = start + WINDOW
    except OverflowError:  # a window reaching past year 1 or 9999 holds no request: clip it there
        start = start or dt.datetime.min.replace(tzinfo=dt.UTC)
        end = end or dt.datetime.max.replace(tzinfo=dt.UTC)
    if end < start:
        raise ApplicationError(_("end_date is before start_date."), field="end_date")
    if end - start > WINDOW + dt.timedelta(days=1):  # a whole last day given as a date still fits
        raise ApplicationError(
            _("start_date and end_date may not span more than 90 days."), field="start_date"
        )
    return RequestFilters(
        service_codes=_listed(query, "service_code"),
        start=start,
        end=end,
        statuses=statuses,
    )
