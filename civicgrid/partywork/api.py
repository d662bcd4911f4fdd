"""Party-work endpoints: pairings, contacts, coverage, and in-service party members' reports.

Thin, like every endpoint: parse → access → one selector or service → serialise. Status codes:
400 a field is wrong (the body names it), 422 the body or a parameter does not fit its schema,
403 visible but not yours to act on, 404 outside your area (or another member's pairing, for a
party member). Lists are keyset-paginated: pass `next_cursor` back as `after`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from civicgrid import access
from civicgrid.core import clock
from civicgrid.core.api import errors
from civicgrid.core.errors import ApplicationError
from civicgrid.partywork import coverage, selectors, services, services_inservice
from civicgrid.partywork import selectors_inservice as sel
from civicgrid.partywork.models import ContactMethod, PledgeCategory
from civicgrid.partywork.periods import week_of, year_of
from civicgrid.partywork.permissions import CONTACT, INSERVICE, INSERVICE_MANAGE, PAIR, VIEW

router = Router(tags=["partywork"])

Method = Literal[tuple(ContactMethod.values)]  # type: ignore[valid-type]
Category = Literal[tuple(PledgeCategory.values)]  # type: ignore[valid-type]


def _need_anywhere(user, *perms: str) -> None:
    if not any(access.has_anywhere(user, p) for p in perms):
        raise PermissionDenied


def _limit(limit: int) -> int:
    return max(1, min(limit, 100))


# --- Shapes -----------------------------------------------------------------------------------------


class PairingOut(Schema):
    id: int
    member_id: int
    member: str
    household_id: int
    household_number: str
    household_head: str | None = Field(description="The head's name (no ID number or phone)")
    address: str
    territory_path: str
    since: dt.date
    until: dt.date | None = Field(description="The day it ended; null while in force")
    end_reason: str
    previous_id: int | None = Field(description="The pairing this one took over in a hand-over")

    @staticmethod
    def resolve_member(obj):
        return str(obj.member)

    @staticmethod
    def resolve_household_number(obj):
        return obj.household.number

    @staticmethod
    def resolve_household_head(obj):
        return obj.household.head.name if obj.household.head_id else None

    @staticmethod
    def resolve_address(obj):
        return obj.household.house.address


class MyPairingOut(PairingOut):
    contacted_this_week: bool
    last_contacted_on: dt.date | None

    @staticmethod
    def resolve_contacted_this_week(obj):
        return obj.contacted


class PairingPage(Schema):
    items: list[PairingOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page; null on the last")


class PairIn(Schema):
    member_id: int = Field(description="A user holding the party-member role over the households' grid")
    household_ids: list[int] = Field(min_length=1, max_length=200)
    since: dt.date | None = Field(None, description="Defaults to today")


class PairOut(Schema):
    items: list[PairingOut]
    warnings: list[str] = Field(description="E.g. the member now has more than 15 contact households")


class HandOverIn(Schema):
    to_member_id: int | None = Field(
        None, description="Another member of the same grid; null leaves them unpaired"
    )


class HandOverOut(Schema):
    ended: list[PairingOut]
    made: list[PairingOut]
    warnings: list[str]


class ContactIn(Schema):
    pairing_id: int
    method: Method  # type: ignore[valid-type]
    note: str = Field("", max_length=200)
    contacted_on: dt.date | None = Field(
        None, description="Local day; defaults to today, at most 31 days back"
    )


class ContactOut(Schema):
    id: int
    pairing_id: int
    household_id: int
    method: str
    note: str
    contacted_on: dt.date
    recorded_at: dt.datetime


class TallyOut(Schema):
    paired: int
    contacted_week: int
    contacted_month: int
    week_rate: int | None = Field(description="Percent of paired households contacted this week")
    month_rate: int | None

    @staticmethod
    def resolve_contacted_week(obj):
        return obj.week

    @staticmethod
    def resolve_contacted_month(obj):
        return obj.month


class PlaceTallyOut(Schema):
    territory_id: int
    name: str
    tally: TallyOut


class MemberTallyOut(Schema):
    member_id: int
    member: str
    grids: list[str]
    tally: TallyOut

    @staticmethod
    def resolve_member_id(obj):
        return obj.member.pk

    @staticmethod
    def resolve_member(obj):
        return obj.label

    @staticmethod
    def resolve_grids(obj):
        return [g.code for g in obj.grids]


class CoverageOut(Schema):
    territory_id: int | None
    week_start: dt.date
    week_end: dt.date
    month_start: dt.date
    month_end: dt.date
    total: TallyOut
    places: list[PlaceTallyOut] = Field(description="The places right below the chosen one")
    members: list[MemberTallyOut]
    unpaired_households: int


class InserviceOut(Schema):
    id: int
    community_id: int
    community: str
    user_id: int | None
    name: str
    workplace: str
    reported_on: dt.date
    until: dt.date | None

    @staticmethod
    def resolve_community(obj):
        return obj.community.name


class InserviceYearOut(InserviceOut):
    pledge_count: int
    year_services: int = Field(description="Confirmed services in the year")
    year_hours: Decimal = Field(description="Confirmed hours in the year")
    year_pending: int = Field(description="Services waiting for the community's confirmation")


class InservicePage(Schema):
    year: int
    items: list[InserviceYearOut]
    next_cursor: str | None


class PledgeOut(Schema):
    id: int
    category: str
    what: str
    withdrawn_at: dt.datetime | None


class ServiceOut(Schema):
    id: int
    member_id: int
    pledge_id: int | None
    done_on: dt.date
    hours: Decimal
    what: str
    status: str
    decided_at: dt.datetime | None
    decision_note: str


class InserviceDetailOut(InserviceOut):
    pledges: list[PledgeOut]
    services: list[ServiceOut]

    @staticmethod
    def resolve_pledges(obj):
        return sel.member_pledges(obj)

    @staticmethod
    def resolve_services(obj):
        return sel.member_services(obj)


class InserviceIn(Schema):
    community_id: int
    workplace: str = Field(max_length=120)
    name: str = Field("", max_length=50, description="Defaults to your display name when `me` is true")
    reported_on: dt.date | None = None
    me: bool = Field(
        False, description="Report yourself (in-service role); false: the community enters someone"
    )


class PledgeIn(Schema):
    category: Category  # type: ignore[valid-type]
    what: str = Field(max_length=200)


class ServiceIn(Schema):
    done_on: dt.date
    hours: Decimal = Field(gt=0, le=24, decimal_places=1)
    what: str = Field(max_length=300)
    pledge_id: int | None = None


class DecideIn(Schema):
    confirm: bool
    note: str = Field("", max_length=200, description="Required when not confirming")


# --- Pairings and contacts --------------------------------------------------------------------------


@router.get(
    "/pairings", response={200: PairingPage, **errors()}, summary="Pairings I may see, in place order"
)
def pairing_list(
    request,
    member: int | None = Query(None, description="Only this member's"),
    place: int | None = Query(None, description="Only this node's subtree"),
    current: bool = Query(True, description="Only pairings in force today"),
    after: str | None = None,
    limit: int = 25,
):
    _need_anywhere(request.user, VIEW, CONTACT)
    node = selectors.territory_for(request.user, place)
    page = selectors.pairing_list_for(
        request.user, member_id=member, node=node, current=current, cursor=after, size=_limit(limit)
    )
    return {"items": page.rows, "next_cursor": page.next_cursor}


@router.get(
    "/mine", response={200: list[MyPairingOut], **errors()}, summary="My contact households this week"
)
def my_pairings(request):
    _need_anywhere(request.user, CONTACT)
    return selectors.my_pairings(request.user)


@router.post("/pairings", response={201: PairOut, **errors(400)}, summary="Pair a member with households")
def pairing_create(request, payload: PairIn):
    _need_anywhere(request.user, PAIR)
    member = selectors.member_get_for(request.user, payload.member_id, PAIR)
    households = selectors.households_for_pairing(request.user, payload.household_ids)
    result = services.contact_pairing_create(
        actor=request.user, member=member.user, households=households, since=payload.since
    )
    return Status(201, {"items": result.pairings, "warnings": result.warnings})


@router.post("/pairings/{pairing_id}/end", response={200: PairingOut, **errors(400)}, summary="End a pairing")
def pairing_end(request, pairing_id: int):
    pairing = selectors.pairing_get_for(request.user, pairing_id, PAIR)
    return services.contact_pairing_end(actor=request.user, pairing=pairing)


@router.post(
    "/members/{member_id}/hand-over",
    response={200: HandOverOut, **errors(400)},
    summary="A member moved away: end their pairings and hand the households over (or leave them unpaired)",
)
def member_hand_over(request, member_id: int, payload: HandOverIn):
    member = selectors.member_get_for(request.user, member_id, PAIR)
    to_member = None
    if payload.to_member_id is not None:
        candidates = {m.pk: m.user for m in selectors.handover_candidates_for(request.user, member)}
        to_member = candidates.get(payload.to_member_id)
        if to_member is None:
            raise ApplicationError(
                _("No party member of this member's grid has this id."),
                field="to_member_id",
                code="outside_grid",
            )
    result = services.contact_pairing_hand_over(actor=request.user, member=member.user, to_member=to_member)
    return {"ended": result.ended, "made": result.made, "warnings": result.warnings}


@router.post(
    "/contacts", response={201: ContactOut, **errors(400)}, summary="Record a contact with my household"
)
def contact_create(request, payload: ContactIn):
    pairing = selectors.pairing_get_for(request.user, payload.pairing_id, CONTACT)
    log = services.contact_log_create(
        actor=request.user,
        pairing=pairing,
        method=payload.method,
        note=payload.note,
        contacted_on=payload.contacted_on,
    )
    return Status(201, log)


@router.get("/coverage", response={200: CoverageOut, **errors()}, summary="Contacts this week and month")
def coverage_get(
    request,
    place: int | None = Query(None, description="Defaults to the top of your area"),
    week: Annotated[dt.date | None, Query(description="Any day of the week; defaults to this week")] = None,
):
    _need_anywhere(request.user, VIEW)
    node = selectors.territory_for(request.user, place) if place else selectors.default_node(request.user)
    cov = coverage.coverage_for(request.user, node=node, week=week_of(week) if week else None)
    return {
        "territory_id": node.pk if node else None,
        "week_start": cov.week.start,
        "week_end": cov.week.end,
        "month_start": cov.month.start,
        "month_end": cov.month.end,
        "total": cov.total,
        "places": [{"territory_id": r.node.pk, "name": r.label, "tally": r.tally} for r in cov.places],
        "members": cov.members,
        "unpaired_households": cov.unpaired,
    }


@router.get(
    "/uncontacted",
    response={200: PairingPage, **errors()},
    summary="Paired households not contacted in the week",
)
def uncontacted_list(
    request,
    place: int | None = None,
    week: Annotated[dt.date | None, Query(description="Any day of the week; defaults to this week")] = None,
    after: str | None = None,
    limit: int = 25,
):
    _need_anywhere(request.user, VIEW)
    node = selectors.territory_for(request.user, place)
    page = coverage.uncontacted_for(
        request.user, node=node, week=week_of(week) if week else None, cursor=after, size=_limit(limit)
    )
    return {"items": page.rows, "next_cursor": page.next_cursor}


# --- In-service party members -----------------------------------------------------------------------


@router.get(
    "/inservice", response={200: InservicePage, **errors()}, summary="Who reported in the year, with hours"
)
def inservice_list(
    request,
    year: int | None = Query(None, ge=2000, le=2100, description="Defaults to this year"),
    place: int | None = None,
    after: str | None = None,
    limit: int = 25,
):
    _need_anywhere(request.user, INSERVICE_MANAGE)
    today = clock.today()
    period = year_of(today.replace(year=year, day=1) if year else today)
    node = selectors.territory_for(request.user, place, INSERVICE_MANAGE)
    page = sel.inservice_list_for(request.user, year=period, node=node, cursor=after, size=_limit(limit))
    return {"year": period.start.year, "items": page.rows, "next_cursor": page.next_cursor}


@router.post("/inservice", response={201: InserviceDetailOut, **errors(400)}, summary="Report to a community")
def inservice_register(request, payload: InserviceIn):
    perm = INSERVICE if payload.me else INSERVICE_MANAGE
    _need_anywhere(request.user, perm)
    community = sel.community_get_for(request.user, payload.community_id, perm)
    member = services_inservice.inservice_party_member_register(
        actor=request.user,
        community=community,
        workplace=payload.workplace,
        name=payload.name,
        reported_on=payload.reported_on,
        user=request.user if payload.me else None,
    )
    return Status(201, member)


@router.get("/inservice/{member_id}", response={200: InserviceDetailOut, **errors()}, summary="One report")
def inservice_get(request, member_id: int):
    return sel.inservice_get_for(request.user, member_id)


@router.post("/inservice/{member_id}/pledges", response={201: PledgeOut, **errors(400)}, summary="Pledge")
def pledge_create(request, member_id: int, payload: PledgeIn):
    member = sel.inservice_get_for(request.user, member_id)
    pledge = services_inservice.pledge_create(
        actor=request.user, member=member, category=payload.category, what=payload.what
    )
    return Status(201, pledge)


@router.post(
    "/inservice/{member_id}/services",
    response={201: ServiceOut, **errors(400)},
    summary="Record a service done (confirmed at once when the community records it)",
)
def service_create(request, member_id: int, payload: ServiceIn):
    member = sel.inservice_get_for(request.user, member_id)
    pledge = None
    if payload.pledge_id is not None:
        pledge = next((p for p in sel.member_pledges(member) if p.pk == payload.pledge_id), None)
        if pledge is None:
            raise ApplicationError(_("This member has no pledge with this id."), field="pledge_id")
    record = services_inservice.service_record_create(
        actor=request.user,
        member=member,
        done_on=payload.done_on,
        hours=payload.hours,
        what=payload.what,
        pledge=pledge,
    )
    return Status(201, record)


@router.post(
    "/services/{service_id}/decide",
    response={200: ServiceOut, **errors(400)},
    summary="Confirm a service, or not",
)
def service_decide(request, service_id: int, payload: DecideIn):
    record = sel.service_get_for(request.user, service_id)
    return services_inservice.service_record_decide(
        actor=request.user, record=record, confirm=payload.confirm, note=payload.note
    )
