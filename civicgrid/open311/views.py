"""Open311 GeoReport v2 endpoints. Thin: parse input, check the api_key, call one selector or service, write.

External clients call these without a session, so they are exempt from CSRF; the one write (POST
requests) is authenticated by the `api_key` form field alone, never by a cookie.
"""

from __future__ import annotations

import contextlib
import functools

from django.core.exceptions import BadRequest, RequestDataTooBig, SuspiciousOperation
from django.http import HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from civicgrid.accounts.tokens import token_user
from civicgrid.cases.models import Channel, DeadlineKind
from civicgrid.cases.selectors import open_deadlines
from civicgrid.cases.services import case_submit
from civicgrid.core import idempotency
from civicgrid.core.errors import ApplicationError
from civicgrid.open311 import documents, selectors
from civicgrid.open311.formats import errors, fmt_of, render
from civicgrid.open311.forms import SubmitForm, request_filters

IDEMPOTENCY_KEY_MAX = 64
# What a browser client may send across origins: the form, and the retry key this server offers.
PREFLIGHT_HEADERS = "Content-Type, Idempotency-Key, Accept-Language"
PREFLIGHT_MAX_AGE = "86400"


def _language(request) -> str | None:
    """`locale` or `lang` (en, en-US, zh, zh-CN, …) wins over Accept-Language, which the middleware read."""
    wanted = request.GET.get("locale") or request.GET.get("lang") or ""
    if not wanted and request.method == "POST":
        wanted = request.POST.get("locale") or request.POST.get("lang") or ""
    wanted = wanted.strip().replace("_", "-").lower()
    if not wanted:
        return None
    if wanted.startswith("zh"):
        return "zh-hans"
    try:
        return translation.get_supported_language_variant(wanted)
    except LookupError:
        return None


def endpoint(*methods: str):
    """CSRF-exempt, in the language asked for, and any other method refused in the spec's error format."""
    allowed = ", ".join(methods)
    accepted = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request, fmt: str, **kwargs) -> HttpResponse:
            # "All text received by the service from the client will be assumed to be UTF-8",
            # whatever charset a client's form library writes on the request.
            request.encoding = "utf-8"
            if request.method == "OPTIONS":
                return _preflight(allowed)
            try:  # a form past the field or size limits, or not text, is answered here
                if request.method == "POST":
                    request.POST  # noqa: B018 - parsed now, not in the view
                language = _language(request)
            except (BadRequest, SuspiciousOperation, MultiPartParserError) as exc:
                return errors(fmt, 413 if isinstance(exc, RequestDataTooBig) else 400, _bad_form(exc))
            with translation.override(language) if language else contextlib.nullcontext():
                if request.method in accepted:
                    response = view(request, fmt, **kwargs)
                else:
                    response = errors(fmt, 405, _("Use %(method)s here.") % {"method": allowed})
                    response["Allow"] = allowed
            if language:
                response["Content-Language"] = language
            return response

        return wrapper

    return decorate


def _preflight(allowed: str) -> HttpResponse:
    """A browser's CORS preflight: any origin may call, as any may read (no cookie is honoured here)."""
    response = HttpResponse(status=204)
    response["Allow"] = f"{allowed}, OPTIONS"
    response["Access-Control-Allow-Origin"] = "*"
    response["Access-Control-Allow-Methods"] = f"{allowed}, OPTIONS"
    response["Access-Control-Allow-Headers"] = PREFLIGHT_HEADERS
    response["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE
    return response


def _bad_form(exc: Exception) -> str:
    if isinstance(exc, RequestDataTooBig):
        return _("The request body is too large.")
    return _("The form could not be read: too many fields, or not form-encoded text.")


def _endpoint_url(request) -> str:
    return request.build_absolute_uri(reverse("open311:discovery", kwargs={"fmt": "json"})).rsplit("/", 1)[0]


@endpoint("GET")
def discovery(request, fmt: str) -> HttpResponse:
    data = documents.discovery(
        endpoint=_endpoint_url(request),
        changeset=selectors.catalogue_changeset(),
        contact=_("Ask the administrators of this platform (the county's grid governance office)."),
        key_service=_(
            "An api_key is a civicgrid API token, issued by an administrator with `civicgrid token_create`."
        ),
    )
    return render(fmt, "discovery", data)


@endpoint("GET")
def service_list(request, fmt: str) -> HttpResponse:
    return render(fmt, "services", [documents.service(c) for c in selectors.services()])


@endpoint("GET")
def service_definition(request, fmt: str, service_code: str) -> HttpResponse:
    if not service_code.strip():
        return errors(fmt, 400, _("%(field)s was not provided.") % {"field": "service_code"})
    category = selectors.service_get(service_code)
    if category is None:
        return errors(fmt, 404, _("service_code %(code)s not found.") % {"code": service_code})
    return render(fmt, "service_definition", documents.definition(category))


@endpoint("GET", "POST")
def requests(request, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _submit(request, fmt)
    try:
        filters = request_filters(request.GET)
    except ApplicationError as exc:
        return errors(fmt, 400, exc.message)
    rows = selectors.request_list(filters)
    return render(fmt, "service_requests", [documents.request(r) for r in rows])


def _asked(form) -> dict[str, list[str]]:
    """What a POST asks for, as the fingerprint of its Idempotency-Key: every field but the token."""
    return {name: form.getlist(name) for name in form if name != "api_key"}


def _submit(request, fmt: str) -> HttpResponse:
    # Some older clients put api_key (with jurisdiction_id) in the query string of the POST URL.
    raw_key = (request.POST.get("api_key") or request.GET.get("api_key") or "").strip()
    actor = token_user(raw_key)
    if actor is None:
        if not raw_key:
            return errors(fmt, 403, _("api_key was not provided: send a civicgrid API token."))
        return errors(fmt, 403, _("Invalid api_key received: the token is unknown, revoked or expired."))
    form = SubmitForm(request.POST)
    if not form.is_valid():
        return errors(fmt, 400, *form.problems())
    data = form.cleaned_data
    category = selectors.service_get(data["service_code"])
    if category is None:
        return errors(fmt, 404, _("service_code %(code)s not found.") % {"code": data["service_code"]})
    house = None
    if data["address_id"]:
        house = selectors.house_by_code(data["address_id"])
        if house is None:
            return errors(fmt, 400, _("address_id %(code)s not found.") % {"code": data["address_id"]})
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > IDEMPOTENCY_KEY_MAX:
        return errors(
            fmt, 400, _("Idempotency-Key is longer than %(n)s characters.") % {"n": IDEMPOTENCY_KEY_MAX}
        )
    try:
        case = case_submit(
            actor=actor,
            channel=Channel.OPEN311,
            category=category,
            title=(data["description"] or str(category))[:60],
            description=documents.with_media(data["description"] or str(category), data["media_url"]),
            house=house,
            lon=data["long"],
            lat=data["lat"],
            address=data["address_string"],
            reporter_name=form.reporter_name(),
            reporter_phone=data["phone"].strip(),
            # Keys are the client's own: prefixed with the token's user, one client cannot replay another's.
            idempotency_key=f"open311:{actor.pk}:{key}" if key else None,
            idempotency_fingerprint=idempotency.fingerprint(_asked(request.POST)),
            external_id=data["account_id"].strip()[:64],
        )
    except ApplicationError as exc:
        field = {"location": "lat/long", "territory": "lat/long", "category": "service_code"}.get(
            exc.field or "", exc.field
        )
        return errors(fmt, exc.status, f"{field}: {exc.message}" if field else exc.message)
    respond_by = next((d.due_at for d in open_deadlines(case) if d.kind == DeadlineKind.RESPOND), None)
    return render(fmt, "service_requests", [documents.created(case, respond_by=respond_by)])


@endpoint("GET")
def request_detail(request, fmt: str, service_request_id: str) -> HttpResponse:
    if not service_request_id.strip():
        return errors(fmt, 400, _("%(field)s was not provided.") % {"field": "service_request_id"})
    row = selectors.request_get(service_request_id)
    if row is None:
        return errors(fmt, 404, _("service_request_id %(id)s not found.") % {"id": service_request_id})
    return render(fmt, "service_requests", [documents.request(row)])


@endpoint("GET")
def token(request, fmt: str, token: str) -> HttpResponse:
    if not token.strip():
        return errors(fmt, 400, _("%(field)s was not provided.") % {"field": "token"})
    # Every request is created in real time (type "realtime"), so no token is ever issued.
    return errors(
        fmt,
        404,
        _("token %(token)s not found: this server creates requests in real time and issues no tokens.")
        % {"token": token},
    )


@csrf_exempt
def not_found(request, rest: str) -> HttpResponse:
    return errors(fmt_of(rest), 404, _("No such Open311 resource: %(path)s") % {"path": request.path})
