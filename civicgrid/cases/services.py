"""Every write to a case: intake and each workflow action. Keyword-only, actor first, atomic, audited.

Each action: load and lock the case, check the workflow table and the permission at the case's tier,
change it, write a timeline event, move its deadlines, then publish `case.changed` (measures keep
their roll-ups in the same transaction; notifications send after commit).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.cases import deadlines, workflow
from civicgrid.cases.models import (
    OPEN_STATES,
    Case,
    CaseAssignment,
    CaseEvent,
    Category,
    Channel,
    DeadlineKind,
    Follower,
    Rating,
    ReopenTo,
    State,
    Tier,
    Urgency,
)
from civicgrid.core import clock, idempotency, paths, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.core.text import without_controls
from civicgrid.orgs.models import Organisation, OrgKind
from civicgrid.registry.services import HOUSE_CODE_ALPHABET
from civicgrid.territory.models import Territory
from civicgrid.territory.selectors import levels_along
from civicgrid.territory.services import territory_locate


def new_code() -> str:
    """A tracking code: the date, then 8 random characters (40 bits: not guessable, easy to read out)."""
    return f"C{clock.today():%y%m%d}" + "".join(secrets.choice(HOUSE_CODE_ALPHABET) for _ in range(8))


def _department_ids(case: Case, *, active_only: bool = True) -> set[int]:
    qs = case.assignments.filter(active=True) if active_only else case.assignments.all()
    return set(qs.values_list("department_id", flat=True))


@dataclass(frozen=True)
class CaseFacts:
    """What the access checks of one case need: read once when several actions are weighed at once."""

    ever_dispatched_to: set[int]
    dispatched_to: set[int]
    levels: dict[str, str]


def case_facts(case: Case, *, new: bool = False) -> CaseFacts:
    """`new`: the case was just taken in, so it was never dispatched (no need to look)."""
    rows = [] if new else list(case.assignments.values_list("department_id", "active"))
    return CaseFacts(
        ever_dispatched_to={d for d, _active in rows},
        dispatched_to={d for d, active in rows if active},
        levels=levels_along(case.territory_path),
    )


def check_action(
    actor, case: Case, name: str, note: str = "", *, facts: CaseFacts | None = None
) -> workflow.Action:
    """Refuse, with a clear message and no change, an action the workflow or the actor's role forbids."""
    action = workflow.ACTIONS[name]
    if case.state not in action.from_states:
        raise ApplicationError(
            _("This case is %(state)s: “%(action)s” is not possible now.")
            % {"state": case.get_state_display(), "action": action.label},
            code="invalid_transition",
        )
    if action.needs_note and not (note or "").strip():
        raise ApplicationError(_("Write a note saying why."), field="note")
    if actor is not None:  # the sweep acts as the system
        # Who cannot see the case gets 404; who sees it but does not act at its tier gets 403.
        # A department sees what was ever dispatched to it (as the selectors do), acts on what still is.
        facts = facts or case_facts(case)
        access.check(actor, "cases.view", case.territory_path, organisation_ids=facts.ever_dispatched_to)
        orgs = facts.dispatched_to
        # More time is granted by the tier above the case, not by the tier asking for it.
        tier = (workflow.tier_above(case.tier) or case.tier) if name == "decide_extension" else case.tier
        where = workflow.tier_path(case.territory_path, tier, facts.levels)
        try:
            access.check(
                actor,
                action.permission,
                where,
                organisation_ids=orgs if case.tier == Tier.DEPARTMENT else set(),
            )
        except Http404:
            raise PermissionDenied(
                _("This case is at the %(tier)s tier, where you do not act.")
                % {"tier": case.get_tier_display()}
            ) from None
    return action


def _event(
    case: Case,
    actor,
    action: str,
    *,
    before: str,
    note: str = "",
    public: bool = True,
    data: dict | None = None,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        from_state=before,
        to_state=case.state,
        tier=case.tier,
        note=note,
        public=public,
        data=data or {},
    )


def _changed(case: Case, action: str, actor, before: dict) -> None:
    case.updated_at = clock.now()
    case.save()
    # What moved, as [before, after]: a pair left equal read as a change in the audit log.
    moved = {k: [before[k], getattr(case, k)] for k in ("state", "tier") if before[k] != getattr(case, k)}
    audit_record(actor=actor, action=f"case.{action}", obj=case, summary=moved)
    registry.publish("case.changed", case=case, action=action, before=before, actor=actor)


def _snapshot(case: Case) -> dict:
    return {
        "state": case.state,
        "tier": case.tier,
        "responded_at": case.responded_at,
        "resolved_at": case.resolved_at,
        "rating": case.rating,
        "territory_path": case.territory_path,
        "departments": sorted(_department_ids(case)),
    }


def _locked(case: Case) -> Case:
    # The case's row only, and not its key: locking the joined category too would make every
    # transition of that category's cases wait on each other (and deadlock with the foreign-key
    # checks of intake at commit).
    return (
        Case.objects.select_for_update(of=("self",), no_key=True).select_related("category").get(pk=case.pk)
    )


@transaction.atomic
def case_submit(
    *,
    actor,
    channel: str,
    category: Category,
    title: str,
    description: str,
    territory: Territory | None = None,
    house=None,
    lon: float | None = None,
    lat: float | None = None,
    address: str = "",
    urgency: str | None = None,
    reporter_resident=None,
    reporter_user=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    anonymous: bool = False,
    idempotency_key: str | None = None,
    idempotency_fingerprint: str = "",
    external_id: str = "",
) -> Case:
    """Take in a demand from any channel. A repeated idempotency key returns the case it made before.

    The returned case has `replayed` set when it was made by an earlier submission with the same key
    (the API answers 200 instead of 201 then). The key's unique index finds the repeat: most keys are
    new, and a look before the insert was a query on every one of them.
    """
    if channel not in Channel.values:
        raise ApplicationError(_("Unknown channel."), field="channel")
    if category is None or not category.active:
        raise ApplicationError(_("Choose a category."), field="category")
    # Clients of the API and Open311 send what they are given, control characters included.
    title, description = (without_controls(t or "").strip() for t in (title, description))
    if not description:
        raise ApplicationError(_("Describe the matter."), field="description")
    title = title or description[:60]
    urgency = urgency or category.default_urgency
    if urgency not in Urgency.values:
        raise ApplicationError(_("Unknown urgency."), field="urgency")
    if house is not None:
        territory = house.unit
        address = address or house.address
    elif territory is None and lon is not None and lat is not None:
        territory = territory_locate(lon=lon, lat=lat)
        if territory is None:
            raise ApplicationError(_("This location is outside every grid we serve."), field="location")
    if territory is None:
        raise ApplicationError(
            _("Say where the matter is: a house, a point on the map, or a place."), field="territory"
        )
    if territory.retired_at is not None:
        raise ApplicationError(_("This place is retired."), field="territory")
    if actor is not None and channel not in (Channel.PORTAL, Channel.OPEN311, Channel.SUGGESTION_BOX):
        access.check(actor, "cases.intake", territory.path)
    floor = workflow.lowest_tier_for_level(territory.level)
    tier = (
        category.start_tier if workflow.tier_rank(category.start_tier) >= workflow.tier_rank(floor) else floor
    )
    case = Case(
        code=new_code(),
        channel=channel,
        category=category,
        urgency=urgency,
        title=title[:120],
        description=description,
        territory=territory,
        territory_path=territory.path,
        house=house,
        address=address[:200],
        lon=lon,
        lat=lat,
        tier=tier,
        state=State.RECEIVED,
        reporter_resident=reporter_resident,
        reporter_user=reporter_user,
        anonymous=anonymous,
        reporter_name="" if anonymous else reporter_name[:50],
        reporter_phone="" if anonymous else reporter_phone,
        idempotency_key=idempotency_key or None,
        idempotency_fingerprint=idempotency_fingerprint if idempotency_key else "",
        external_id=external_id[:64],
    )
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:
        existing = Case.objects.filter(idempotency_key=idempotency_key).first() if idempotency_key else None
        if existing is None:
            raise
        idempotency.check_repeat(existing.idempotency_fingerprint, idempotency_fingerprint)
        existing.replayed = True
        return existing  # made by an earlier submission, or by the same one racing this one
    if reporter_user is not None or reporter_resident is not None:
        Follower.objects.create(case=case, user=reporter_user, resident=reporter_resident)
    event = _event(case, actor, "submit", before="", data={"channel": channel})
    opened = deadlines.open_round(case, start=case.created_at, first=True)
    # What this submission wrote, so its answer is built without reading the rows back.
    case.written = {"timeline": [event], "deadlines": sorted(opened, key=lambda d: (d.round, d.kind))}
    audit_record(
        actor=actor,
        action="case.submit",
        obj=case,
        summary={"channel": channel, "category": category.code, "tier": tier, "urgency": urgency},
    )
    registry.publish("case.changed", case=case, action="submit", before=None, actor=actor)
    return case


@transaction.atomic
def case_respond(*, actor, case: Case, note: str = "") -> Case:
    case = _locked(case)
    check_action(actor, case, "respond", note)
    before = _snapshot(case)
    case.state = State.HANDLING
    case.responded_at = case.responded_at or clock.now()
    case.handler = actor
    deadlines.meet(case, DeadlineKind.RESPOND)
    _event(case, actor, "respond", before=before["state"], note=note)
    _changed(case, "respond", actor, before)
    return case


def _move_tier(
    case: Case,
    actor,
    name: str,
    new_tier: str,
    note: str,
    *,
    automatic: bool = False,
    facts: dict | None = None,
) -> Case:
    before = _snapshot(case)
    case.tier = new_tier
    case.handler = None
    if case.state == State.RESOLVED:
        case.state = State.HANDLING
    _event(
        case,
        actor,
        name,
        before=before["state"],
        note=note,
        data={"from_tier": before["tier"], "automatic": automatic, **(facts or {})},
    )
    deadlines.open_round(case)
    _changed(case, name, actor, before)
    return case


@transaction.atomic
def case_escalate(*, actor, case: Case, note: str) -> Case:
    case = _locked(case)
    check_action(actor, case, "escalate", note)
    above = workflow.tier_above(case.tier)
    if above is None:
        raise ApplicationError(
            _("A department is the last tier: return the case to the town if it is not yours."),
            code="invalid_transition",
        )
    if above == Tier.DEPARTMENT:
        raise ApplicationError(
            _("From the town a case goes to departments: dispatch it."), code="invalid_transition"
        )
    return _move_tier(case, actor, "escalate", above, note)


@transaction.atomic
def case_return(*, actor, case: Case, note: str) -> Case:
    case = _locked(case)
    check_action(actor, case, "return", note)
    below = workflow.tier_below(case.tier)
    floor = workflow.lowest_tier_for_level(case.territory.level)
    if below is None or workflow.tier_rank(below) < workflow.tier_rank(floor):
        raise ApplicationError(_("There is no tier below to return this case to."), code="invalid_transition")
    if case.tier == Tier.DEPARTMENT:
        CaseAssignment.objects.filter(case=case, active=True).update(active=False, finished_at=clock.now())
    return _move_tier(case, actor, "return", below, note)


@transaction.atomic
def case_dispatch(*, actor, case: Case, departments: list[Organisation], note: str = "") -> Case:
    """Send the case to one department (lead) or several (co-handling, the first leads)."""
    case = _locked(case)
    check_action(actor, case, "dispatch", note)
    if not departments:
        raise ApplicationError(_("Choose at least one department."), field="departments")
    for dept in departments:
        if dept.kind != OrgKind.DEPARTMENT or not dept.active:
            raise ApplicationError(
                _("%(name)s is not an active department.") % {"name": dept.name}, field="departments"
            )
        if not paths.is_within(case.territory_path, dept.territory_path):
            raise ApplicationError(
                _("%(name)s does not serve this place.") % {"name": dept.name}, field="departments"
            )
    CaseAssignment.objects.filter(case=case, active=True).update(active=False, finished_at=clock.now())
    for i, dept in enumerate(departments):
        CaseAssignment.objects.create(
            case=case, department=dept, lead=i == 0, territory_path=case.territory_path
        )
    case.dispatched = True
    names = [d.name for d in departments]
    return _move_tier(case, actor, "dispatch", Tier.DEPARTMENT, note or "、".join(names))


@transaction.atomic
def case_resolve(*, actor, case: Case, note: str, on_the_spot: bool = False) -> Case:
    case = _locked(case)
    check_action(actor, case, "resolve", note)
    before = _snapshot(case)
    now = clock.now()
    case.on_the_spot = case.on_the_spot or (on_the_spot or case.state == State.RECEIVED)
    case.responded_at = case.responded_at or now
    case.resolved_at = now
    case.resolution = note
    case.settled_tier = case.tier
    case.state = State.RESOLVED
    deadlines.meet(case, DeadlineKind.RESPOND)
    deadlines.meet(case, DeadlineKind.RESOLVE)
    CaseAssignment.objects.filter(case=case, active=True).update(finished_at=now)
    _event(case, actor, "resolve", before=before["state"], note=note, data={"on_the_spot": case.on_the_spot})
    _changed(case, "resolve", actor, before)
    return case


@transaction.atomic
def case_rate(*, actor, case: Case, rating: str, comment: str = "", by_reporter: bool = False) -> Case:
    """The reporter's rating, given in the portal (`by_reporter`) or taken by staff on a call-back."""
    case = _locked(case)
    if by_reporter:
        if case.state != State.RESOLVED:
            raise ApplicationError(_("This case is not waiting for your rating."), code="invalid_transition")
    else:
        check_action(actor, case, "rate")
    if rating not in Rating.values:
        raise ApplicationError(_("Choose satisfied, basically satisfied or unsatisfied."), field="rating")
    before = _snapshot(case)
    case.rating, case.rating_comment = rating, (comment or "").strip()
    if rating == Rating.UNSATISFIED:
        case.reopen_count += 1
        case.state = State.HANDLING
        case.resolved_at = None
        up = workflow.tier_above(case.tier) if case.category.reopen_to == ReopenTo.NEXT else None
        if up is not None and up != Tier.DEPARTMENT:
            case.tier = up
        _event(
            case,
            actor,
            "reopen",
            before=before["state"],
            note=case.rating_comment,
            data={"rating": rating, "by_reporter": by_reporter},
        )
        deadlines.open_round(case, kinds=(DeadlineKind.RESOLVE,))
    else:
        case.state = State.CLOSED
        case.closed_at = clock.now()
        _event(
            case,
            actor,
            "rate",
            before=before["state"],
            note=case.rating_comment,
            data={"rating": rating, "by_reporter": by_reporter},
        )
    _changed(case, "rate", actor, before)
    return case


@transaction.atomic
def case_merge(*, actor, case: Case, into: Case, note: str) -> Case:
    """A duplicate joins the case it repeats; its reporters follow that case from now on."""
    case = _locked(case)
    check_action(actor, case, "merge", note)
    into = Case.objects.get(pk=into.pk)  # its state now, not when the caller read it
    if into.pk == case.pk or into.merged_into_id == case.pk:
        raise ApplicationError(_("A case cannot be merged into itself."), field="into")
    # Out of sight is 404 before anything is said about the other case's state.
    access.check(actor, "cases.handle", into.territory_path, organisation_ids=_department_ids(into))
    if into.state not in OPEN_STATES:
        raise ApplicationError(_("Merge only into a case that is still open."), field="into")
    before = _snapshot(case)
    for f in case.followers.all():
        Follower.objects.get_or_create(
            case=into, user=f.user, resident=f.resident, defaults={"source_case": case}
        )
    case.merged_into = into
    case.state = State.MERGED
    deadlines.cancel_open(case)
    _event(case, actor, "merge", before=before["state"], note=note, data={"into": into.code})
    CaseEvent.objects.create(
        case=into,
        actor=actor,
        action="merged_in",
        from_state=into.state,
        to_state=into.state,
        tier=into.tier,
        note=note,
        data={"from": case.code},
    )
    _changed(case, "merge", actor, before)
    return case


@transaction.atomic
def case_comment(*, actor, case: Case, note: str) -> CaseEvent:
    case = _locked(case)
    check_action(actor, case, "comment", note)
    event = _event(case, actor, "comment", before=case.state, note=note, public=False)
    audit_record(actor=actor, action="case.comment", obj=case, summary={})
    return event


def case_overdue(*, case: Case, deadline) -> Case:
    """Called by the sweep (inside its transaction) for a deadline it has just claimed."""
    case = _locked(case)
    if case.state not in OPEN_STATES:
        return case
    above = workflow.tier_above(case.tier)
    # The event's note is worded when read (`CaseEvent.shown_note`), in the reader's language.
    facts = {"limit_passed": {"kind": deadline.kind, "due": deadline.due_at.isoformat()}}
    if above is not None and above != Tier.DEPARTMENT:
        return _move_tier(case, None, "escalate", above, "", automatic=True, facts=facts)
    if above == Tier.DEPARTMENT:
        from civicgrid.orgs.selectors import departments_serving

        depts = departments_serving(case.territory_path, case.category.code)
        if depts:
            CaseAssignment.objects.filter(case=case, active=True).update(
                active=False, finished_at=clock.now()
            )
            for i, dept in enumerate(depts[:1]):
                CaseAssignment.objects.create(
                    case=case, department=dept, lead=i == 0, territory_path=case.territory_path
                )
            case.dispatched = True
            return _move_tier(case, None, "dispatch", Tier.DEPARTMENT, "", automatic=True, facts=facts)
    # Nowhere higher to go: it stays, marked overdue on the timeline, for the town to chase.
    before = _snapshot(case)
    _event(case, None, "overdue", before=before["state"], public=False, data=facts)
    _changed(case, "overdue", None, before)
    return case


@transaction.atomic
def case_extension_request(*, actor, case: Case, days: int, note: str):
    from civicgrid.cases.models import Extension, ExtensionStatus

    case = _locked(case)
    check_action(actor, case, "request_extension", note)
    if not 1 <= int(days) <= 30:
        raise ApplicationError(_("Ask for 1 to 30 working days."), field="days")
    deadline = case.deadlines.filter(
        kind=DeadlineKind.RESOLVE, met_at__isnull=True, breached_at__isnull=True, cancelled_at__isnull=True
    ).first()
    if deadline is None:
        raise ApplicationError(_("This case has no running time limit to extend."), code="invalid_transition")
    if deadline.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ApplicationError(_("A request for more time is already waiting."), code="invalid_transition")
    extension = Extension.objects.create(deadline=deadline, requested_by=actor, days=int(days), reason=note)
    _event(
        case, actor, "request_extension", before=case.state, note=note, public=False, data={"days": int(days)}
    )
    audit_record(actor=actor, action="case.request_extension", obj=case, summary={"days": int(days)})
    registry.publish("case.extension_requested", case=case, extension=extension)
    return extension


@transaction.atomic
def case_extension_decide(*, actor, extension, approve: bool, note: str = ""):
    """Approved by the tier above the case's tier (where the permission is checked)."""
    from civicgrid.cases.models import ExtensionStatus
    from civicgrid.core import calendar

    case = _locked(extension.deadline.case)
    check_action(actor, case, "decide_extension", note)  # at the tier above the case's
    extension = type(extension).objects.select_for_update().get(pk=extension.pk)
    if extension.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(_("Whoever asked for more time cannot grant it."))
    if extension.status != ExtensionStatus.PENDING:
        raise ApplicationError(_("This request has already been decided."), code="invalid_transition")
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by, extension.decided_at = actor, clock.now()
    extension.save()
    deadline = extension.deadline
    if approve and deadline.is_open:
        deadline.due_at = calendar.add_working_days(deadline.due_at, extension.days)
        deadline.warned_at = None
        from civicgrid.cases import limits

        deadline.warn_at = limits.warn_at(clock.now(), deadline.due_at)
        deadline.save(update_fields=["due_at", "warn_at", "warned_at"])
    _event(
        case,
        actor,
        "decide_extension",
        before=case.state,
        note=note,
        public=False,
        data={"approved": approve, "days": extension.days},
    )
    audit_record(actor=actor, action="case.decide_extension", obj=case, summary={"approved": approve})
    return extension
