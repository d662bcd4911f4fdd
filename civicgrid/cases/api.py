"""Case endpoints: the register, my queue, one case, intake and every workflow action.

Thin, like every endpoint: parse → access → one selector or service → serialise. Status codes:
400 a field is wrong (the body names it), 422 the body or a query parameter does not fit its schema,
403 the case is visible but not yours to act on at its tier, 404 it is outside your area (or does not
exist), 409 the workflow does not allow the action in the case's state (code "invalid_transition").
Reporters' phones are masked.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema, Status

from civicgrid import access
from civicgrid.cases import limits, selectors, services
from civicgrid.cases.models import Channel, Rating, State, Tier, Urgency
from civicgrid.core import idempotency
from civicgrid.core.api import ErrorOut, errors
from civicgrid.core.errors import ApplicationError

router = Router(tags=["cases"])

INVALID_TRANSITION = "invalid_transition"
# Residents report through the portal and Open311 clients through /open311: each surface checks its
# own reporters. This API is for staff and integrations, who take cases in where they hold the right.
API_CHANNELS = (
    Channel.HOTLINE_12345,
    Channel.NEIGHBOUR_HOTLINE,
    Channel.WALK_IN,
    Channel.WECHAT,
    Channel.VISIT,
)
ApiChannel = Literal[tuple(c.value for c in API_CHANNELS)]  # type: ignore[valid-type]
StateFilter = Literal[(*State.values, "open", "overdue")]  # type: ignore[valid-type]
ACTION_ERRORS = errors(400, 409)


# --- Shapes -----------------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    parent: str | None
    name_zh: str
    name_en: str
    start_tier: Tier
    default_urgency: Urgency
    reopen_to: str
    public: bool
    limits: dict[str, dict[str, float]] = Field(
        description="Effective limits by urgency: respond_hours (clock hours), resolve_days (working days)"
    )

    @staticmethod
    def resolve_parent(obj):
        return obj.parent.code if obj.parent_id else None

    @staticmethod
    def resolve_limits(obj):
        return {u: limits.limits_for(obj, u) for u in Urgency.values}


class CaseOut(Schema):
    id: int
    code: str
    title: str
    channel: Channel
    category: str
    urgency: Urgency
    tier: Tier
    state: State
    territory_id: int
    territory_name: str
    territory_path: str
    address: str
    external_id: str
    dispatched: bool
    on_the_spot: bool
    rating: str
    created_at: dt.datetime
    updated_at: dt.datetime
    responded_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_category(obj):
        return obj.category.code

    @staticmethod
    def resolve_territory_name(obj):
        return obj.territory.name


class CasePage(Schema):
    items: list[CaseOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last")


class QueueItemOut(CaseOut):
    due_at: dt.datetime | None = Field(description="The soonest running time limit")
    overdue: bool


class EventOut(Schema):
    id: int
    at: dt.datetime
    action: str
    actor: str | None
    from_state: str
    to_state: str
    tier: str
    note: str
    public: bool = Field(description="Shown to the reporter; internal entries are false")
    data: dict

    @staticmethod
    def resolve_actor(obj):
        return str(obj.actor) if obj.actor_id else None

    @staticmethod
    def resolve_note(obj):
        return obj.shown_note  # the system's own notes in the request's language


class DeadlineOut(Schema):
    id: int
    kind: str
    round: int
    tier: str
    due_at: dt.datetime
    warn_at: dt.datetime
    warned_at: dt.datetime | None
    met_at: dt.datetime | None
    breached_at: dt.datetime | None
    cancelled_at: dt.datetime | None


class AssignmentOut(Schema):
    department_id: int
    department: str
    lead: bool
    active: bool
    assigned_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_department(obj):
        return obj.department.name


class ExtensionOut(Schema):
    id: int
    deadline_id: int
    days: int
    reason: str
    status: str
    requested_by: str
    requested_at: dt.datetime
    decided_by: str | None
    decided_at: dt.datetime | None

    @staticmethod
    def resolve_requested_by(obj):
        return str(obj.requested_by)

    @staticmethod
    def resolve_decided_by(obj):
        return str(obj.decided_by) if obj.decided_by_id else None


class CaseDetailOut(CaseOut):
    description: str
    category_name: str
    house_code: str | None
    lon: float | None
    lat: float | None
    reporter_name: str
    reporter_phone: str = Field(description="Masked, e.g. 138****0000")
    anonymous: bool
    handler: str | None
    merged_into: str | None = Field(description="Tracking code of the case this one was merged into")
    resolution: str
    rating_comment: str
    reopen_count: int
    settled_tier: str
    timeline: list[EventOut] = Field(description="Public and internal entries, oldest first")
    deadlines: list[DeadlineOut]
    departments: list[AssignmentOut]
    extensions: list[ExtensionOut]
    actions: list[str] = Field(description="Workflow actions you may take on this case now")

    @staticmethod
    def resolve_category_name(obj):
        return str(obj.category)

    @staticmethod
    def resolve_house_code(obj):
        return obj.house.house_code if obj.house_id else None

    @staticmethod
    def resolve_reporter_phone(obj):
        return str(obj.reporter_phone)

    @staticmethod
    def resolve_handler(obj):
        return str(obj.handler) if obj.handler_id else None

    @staticmethod
    def resolve_merged_into(obj):
        return obj.merged_into.code if obj.merged_into_id else None

    @staticmethod
    def resolve_timeline(obj):
        return obj.detail["timeline"]

    @staticmethod
    def resolve_deadlines(obj):
        return obj.detail["deadlines"]

    @staticmethod
    def resolve_departments(obj):
        return obj.detail["assignments"]

    @staticmethod
    def resolve_extensions(obj):
        return obj.detail["extensions"]

    @staticmethod
    def resolve_actions(obj):
        return obj.detail["actions"]


class SubmitIn(Schema):
    channel: ApiChannel  # type: ignore[valid-type]
    category: str = Field(description="A category code from GET /cases/categories")
    urgency: Urgency | None = Field(None, description="Defaults to the category's")
    title: str = Field("", max_length=120, description="Defaults to the start of the description")
    description: str = Field(max_length=5000)
    house_code: str = Field("", max_length=16, description="The door plate: gives the unit and address")
    territory: int | None = Field(None, description="A node id, when there is no house")
    lon: float | None = Field(None, ge=-180, le=180, description="With lat: the grid is found from the map")
    lat: float | None = Field(None, ge=-90, le=90)
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20, pattern=r"^[0-9+\- ]*$")
    anonymous: bool = False
    external_id: str = Field("", max_length=64, description="The sender's own reference (12345 order no.)")
    idempotency_key: str | None = Field(
        None, min_length=1, max_length=80, description="Or the Idempotency-Key header"
    )


class NoteIn(Schema):
    note: str = Field("", max_length=5000)


class ReasonedIn(Schema):
    note: str = Field(max_length=5000, description="Why: required")


class DispatchIn(Schema):
    departments: list[int] = Field(description="Department ids; the first leads, others co-handle")
    note: str = Field("", max_length=5000)


class ResolveIn(Schema):
    note: str = Field(max_length=5000, description="What was done")
    on_the_spot: bool = False


class RateIn(Schema):
    rating: Rating
    comment: str = Field("", max_length=2000)


class MergeIn(Schema):
    into: str = Field(max_length=20, description="Tracking code of the case this one repeats")
    note: str = Field(max_length=5000)


class ExtensionIn(Schema):
    days: int = Field(description="Extra working days, 1 to 30")
    reason: str = Field(max_length=5000)


class DecideIn(Schema):
    approve: bool
    note: str = Field("", max_length=5000)


# --- Helpers ----------------------------------------------------------------------------------------


def _need_anywhere(user, perm: str = selectors.VIEW) -> None:
    if not access.has_anywhere(user, perm):
        raise PermissionDenied


def _detail(user, case):
    case = selectors.case_get_for(user, case.pk)
    case.detail = selectors.case_detail_for(user, case)
    return case


def _perform(request, service, *, status: int = 200, render=None, **kwargs):
    """Run one service as the user; a refusal by the workflow is a conflict (409), not bad input."""
    try:
        result = service(actor=request.user, **kwargs)
    except ApplicationError as exc:
        if exc.code == INVALID_TRANSITION:
            return Status(409, exc.as_dict())
        raise
    return Status(status, render(result) if render else result)


def _act(request, case, service, **kwargs):
    """One workflow action on a case fetched through `case_get_for`; answers with the case as it is now."""
    if isinstance(case, int):
        case = selectors.case_get_for(request.user, case)
    return _perform(request, service, case=case, render=lambda c: _detail(request.user, c), **kwargs)


# --- Reads ------------------------------------------------------------------------------------------


@router.get("/categories", response={200: list[CategoryOut], **errors()}, summary="The category catalogue")
def category_list(request):
    if access.has_anywhere(request.user, selectors.VIEW):
        return selectors.categories_active()
    return selectors.categories_public()


@router.get("", response={200: CasePage, **errors(400)}, summary="List cases in my area, newest first")
def case_list(
    request,
    q: str = Query("", max_length=100, description="Tracking code, or words of the title or address"),
    territory: int | None = Query(None, description="Only this node's subtree"),
    state: StateFilter | None = None,  # type: ignore[valid-type]
    category: str = Query("", description="A category code (its subcategories included)"),
    tier: Tier | None = None,
    channel: Channel | None = None,
    department: int | None = Query(None, description="Only cases dispatched to this department"),
    received_from: Annotated[dt.date | None, Query(description="Received on or after this day")] = None,
    received_to: Annotated[dt.date | None, Query(description="Received on or before this day")] = None,
    after: str | None = Query(None, description="The `next_cursor` of the previous page"),
    limit: int = Query(25, description="Page size, at most 100"),
):
    _need_anywhere(request.user)
    node = selectors.territory_for_filter(request.user, territory) if territory is not None else None
    filters = selectors.CaseFilters(
        q=q,
        territory=node,
        state=state or "",
        category=category,
        tier=tier or "",
        channel=channel or "",
        department=department,
        received_from=received_from,
        received_to=received_to,
    )
    page = selectors.case_list_for(request.user, filters, cursor=after, size=max(1, min(limit, 100)))
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get(
    "/queue",
    response={200: list[QueueItemOut], **errors()},
    summary="My queue: open cases at my tier or dispatched to my department, due soonest first",
)
def case_queue(request, limit: int = Query(100, description="At most 100")):
    _need_anywhere(request.user, "cases.handle")
    return selectors.case_queue_for(request.user, limit=max(1, min(limit, 100)))


@router.get("/{case_id}", response={200: CaseDetailOut, **errors()}, summary="One case, with its timeline")
def case_get(request, case_id: int):
    return _detail(request.user, selectors.case_get_for(request.user, case_id))


# --- Intake -----------------------------------------------------------------------------------------


@router.post(
    "",
    response={201: CaseDetailOut, 200: CaseDetailOut, **errors(400)},
    summary="Take in a case (201; 200 with the earlier case when the idempotency key was used before)",
    description=(
        "A request sent again with the same `Idempotency-Key` answers 200 with the case the first one "
        "made. The same key with a different request is refused with 422 (`idempotency_key_reused`)."
    ),
)
def case_submit(
    request,
    payload: SubmitIn,
    idempotency_header: str | None = Header(
        None, alias="Idempotency-Key", min_length=1, max_length=80, description="Makes a retry safe"
    ),
):
    _need_anywhere(request.user, "cases.intake")
    key = idempotency_header or payload.idempotency_key
    if idempotency_header and payload.idempotency_key and idempotency_header != payload.idempotency_key:
        raise ApplicationError(
            _("The Idempotency-Key header and the idempotency_key field differ."), field="idempotency_key"
        )
    category = selectors.category_by_code(payload.category)
    if category is None:
        raise ApplicationError(_("No active category has this code."), field="category")
    if (payload.lon is None) != (payload.lat is None):
        raise ApplicationError(
            _("Give both lon and lat, or neither."), field="lat" if payload.lat is None else "lon"
        )
    place_field = (
        "house_code" if payload.house_code else "territory" if payload.territory is not None else "lon"
    )
    try:
        house, node = selectors.intake_place_for(
            request.user, house_code=payload.house_code, territory_id=payload.territory
        )
        case = services.case_submit(
            actor=request.user,
            channel=payload.channel,
            category=category,
            urgency=payload.urgency,
            title=payload.title,
            description=payload.description,
            house=house,
            territory=node,
            lon=payload.lon,
            lat=payload.lat,
            address=payload.address,
            reporter_name=payload.reporter_name,
            reporter_phone=payload.reporter_phone,
            anonymous=payload.anonymous,
            external_id=payload.external_id,
            # Keys are per account: another integration reusing a key never receives this case.
            idempotency_key=f"api:{request.user.pk}:{key}" if key else None,
            idempotency_fingerprint=idempotency.fingerprint(payload.model_dump(exclude={"idempotency_key"})),
        )
    except (Http404, PermissionDenied):
        # Not in the user's area, or not there at all: the same answer, so nothing is revealed.
        raise ApplicationError(_("This place is not in your area."), field=place_field) from None
    if getattr(case, "replayed", False):
        return Status(200, _detail(request.user, case))
    case = selectors.case_taken_in_for(request.user, case)
    case.detail = selectors.case_detail_for(request.user, case, new=True)
    return Status(201, case)


# --- Workflow actions -------------------------------------------------------------------------------


@router.post("/{case_id}/respond", response={200: CaseDetailOut, **ACTION_ERRORS}, summary="Accept a case")
def case_respond(request, case_id: int, payload: NoteIn):
    return _act(request, case_id, services.case_respond, note=payload.note)


@router.post(
    "/{case_id}/escalate", response={200: CaseDetailOut, **ACTION_ERRORS}, summary="Escalate one tier up"
)
def case_escalate(request, case_id: int, payload: ReasonedIn):
    return _act(request, case_id, services.case_escalate, note=payload.note)


@router.post(
    "/{case_id}/return", response={200: CaseDetailOut, **ACTION_ERRORS}, summary="Return one tier down"
)
def case_return(request, case_id: int, payload: ReasonedIn):
    return _act(request, case_id, services.case_return, note=payload.note)


@router.post(
    "/{case_id}/dispatch",
    response={200: CaseDetailOut, **ACTION_ERRORS},
    summary="Dispatch to one department, or several (co-handling; the first leads)",
)
def case_dispatch(request, case_id: int, payload: DispatchIn):
    case = selectors.case_get_for(request.user, case_id)  # 404 before anything about the body
    departments = selectors.departments_by_ids(payload.departments)
    if len(departments) != len(set(payload.departments)):
        raise ApplicationError(_("No department has this id."), field="departments")
    return _act(request, case, services.case_dispatch, departments=departments, note=payload.note)


@router.post("/{case_id}/resolve", response={200: CaseDetailOut, **ACTION_ERRORS}, summary="Resolve")
def case_resolve(request, case_id: int, payload: ResolveIn):
    return _act(request, case_id, services.case_resolve, note=payload.note, on_the_spot=payload.on_the_spot)


@router.post(
    "/{case_id}/rate",
    response={200: CaseDetailOut, **ACTION_ERRORS},
    summary="Record the reporter's rating from a call-back (unsatisfied reopens the case)",
)
def case_rate(request, case_id: int, payload: RateIn):
    return _act(request, case_id, services.case_rate, rating=payload.rating, comment=payload.comment)


@router.post("/{case_id}/merge", response={200: CaseDetailOut, **ACTION_ERRORS}, summary="Merge a duplicate")
def case_merge(request, case_id: int, payload: MergeIn):
    case = selectors.case_get_for(request.user, case_id)  # 404 before anything about the body
    try:
        into = selectors.case_get_by_code_for(request.user, payload.into)
    except Http404:
        raise ApplicationError(_("No case with this code is in your area."), field="into") from None
    return _act(request, case, services.case_merge, into=into, note=payload.note)


@router.post(
    "/{case_id}/extensions",
    response={201: ExtensionOut, **ACTION_ERRORS},
    summary="Ask the tier above for more time on the resolve limit",
)
def extension_request(request, case_id: int, payload: ExtensionIn):
    case = selectors.case_get_for(request.user, case_id)
    return _perform(
        request,
        services.case_extension_request,
        status=201,
        case=case,
        days=payload.days,
        note=payload.reason,
    )


@router.post(
    "/{case_id}/extensions/{extension_id}/decide",
    response={200: ExtensionOut, **ACTION_ERRORS},
    summary="Approve or refuse more time (the tier above the case's tier)",
)
def extension_decide(request, case_id: int, extension_id: int, payload: DecideIn):
    case = selectors.case_get_for(request.user, case_id)
    extension = selectors.extension_get_for(request.user, case, extension_id)
    return _perform(
        request,
        services.case_extension_decide,
        extension=extension,
        approve=payload.approve,
        note=payload.note,
    )


@router.post(
    "/{case_id}/comments",
    response={201: EventOut, **ACTION_ERRORS},
    summary="Add an internal note to the timeline",
)
def case_comment(request, case_id: int, payload: ReasonedIn):
    case = selectors.case_get_for(request.user, case_id)
    return _perform(request, services.case_comment, status=201, case=case, note=payload.note)


__all__ = ["router", "ErrorOut"]
