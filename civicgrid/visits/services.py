"""Every write of the visits module: rules, logging a visit (with what it raises), needs.

Keyword-only, actor first, atomic, audited. `visit_log` is one transaction: the visit, the due rows it
meets and the next ones it opens, a case, a need, a registry correction and the photos all happen, or
none does. `visit.logged` is published after commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.core import clock, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.registry.models import Household, HouseholdStatus, Resident, Tag
from civicgrid.territory.models import Territory
from civicgrid.visits import dues, photos
from civicgrid.visits.models import (
    TARGET_KIND,
    Need,
    NeedStatus,
    RuleTarget,
    Visit,
    VisitKind,
    VisitRule,
)

KEY_PERSON_PERMISSION = "keypersons.view"  # the key persons module's; named, not imported
MAX_INTERVAL_DAYS = 3650
BACKDATE_DAYS = 60  # a visit kept on a phone for a few weeks can still be sent
RULE_LEVELS = ("county", "town", "community", "grid", "unit")
log = logging.getLogger(__name__)


# --- Rules


def _check_rule_values(*, interval_days: int, starts_on: dt.date | None) -> None:
    if not isinstance(interval_days, int) or not 1 <= interval_days <= MAX_INTERVAL_DAYS:
        raise ApplicationError(
            _("Give a number of days from 1 to %(max)d.") % {"max": MAX_INTERVAL_DAYS}, field="interval_days"
        )
    if starts_on is None:
        raise ApplicationError(_("Give the day the rule starts."), field="starts_on")


@transaction.atomic
def rule_create(
    *,
    actor,
    territory: Territory,
    target: str,
    interval_days: int,
    tag: Tag | None = None,
    starts_on: dt.date | None = None,
    active: bool = True,
) -> VisitRule:
    access.check(actor, "visits.manage_rules", territory.path)
    if target not in RuleTarget.values:
        raise ApplicationError(_("Choose who the rule is for."), field="target")
    if territory.level not in RULE_LEVELS or territory.retired_at is not None:
        raise ApplicationError(
            _("Rules are set on a current county, town, community or grid."), field="territory"
        )
    if target == RuleTarget.TAG and tag is None:
        raise ApplicationError(_("Choose the tag."), field="tag")
    if target != RuleTarget.TAG:
        tag = None
    starts_on = starts_on or clock.today()
    _check_rule_values(interval_days=interval_days, starts_on=starts_on)
    if VisitRule.objects.filter(territory=territory, target=target, tag=tag).exists():
        raise ApplicationError(
            _("This place already has a rule for them: change that one."), field="target", code="duplicate"
        )
    rule = VisitRule.objects.create(
        territory=territory,
        territory_path=territory.path,
        target=target,
        tag=tag,
        kind=TARGET_KIND[RuleTarget(target)],
        interval_days=interval_days,
        starts_on=starts_on,
        active=active,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    audit_record(
        actor=actor,
        action="visit_rule.create",
        obj=rule,
        summary={"target": target, "tag": tag.code if tag else None, "interval_days": interval_days},
    )
    return rule


@transaction.atomic
def rule_update(
    *, actor, rule: VisitRule, interval_days: int, active: bool, starts_on: dt.date | None = None
) -> VisitRule:
    """Changes apply from the next sweep: open rows of a switched-off rule close, others keep their date."""
    rule = VisitRule.objects.select_for_update().get(pk=rule.pk)
    access.check(actor, "visits.manage_rules", rule.territory_path)
    starts_on = starts_on or rule.starts_on
    _check_rule_values(interval_days=interval_days, starts_on=starts_on)
    before = {"interval_days": rule.interval_days, "active": rule.active, "starts_on": str(rule.starts_on)}
    rule.interval_days, rule.active, rule.starts_on = interval_days, active, starts_on
    rule.updated_at = clock.now()
    rule.save()
    after = {"interval_days": interval_days, "active": active, "starts_on": str(starts_on)}
    audit_record(
        actor=actor,
        action="visit_rule.update",
        obj=rule,
        summary={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return rule


# --- Logging a visit


@dataclass
class RaisedCase:
    category: object  # a cases.Category
    description: str
    urgency: str | None = None


@dataclass
class Correction:
    changes: dict[str, str]
    resident: Resident | None = None
    note: str = ""


@dataclass
class VisitInput:
    household: Household
    kind: str
    visited_on: dt.date | None = None
    resident: Resident | None = None
    findings: str = ""
    flags: set[str] = field(default_factory=set)  # names from Visit.FLAGS
    photos: list = field(default_factory=list)  # checked: (content, content type, extension)
    case: RaisedCase | None = None
    need: str = ""
    correction: Correction | None = None


def kinds_for(user, path: str) -> list[str]:
    """The kinds this user may log at a place: key-person visits only with the key persons' permission."""
    kinds = [VisitKind.COMPREHENSIVE, VisitKind.DYNAMIC, VisitKind.RETURN]
    if access.has_perm_at(user, KEY_PERSON_PERMISSION, path):
        kinds.append(VisitKind.KEY_PERSON)
    return kinds


def _validate(actor, data: VisitInput) -> dt.date:
    household = data.household
    access.check(actor, "visits.log", household.territory_path)
    if data.kind not in VisitKind.values:
        raise ApplicationError(_("Choose the kind of visit."), field="kind")
    if data.kind == VisitKind.KEY_PERSON:
        access.check(actor, KEY_PERSON_PERMISSION, household.territory_path)
        if data.resident is None:
            raise ApplicationError(_("Choose the key person visited."), field="resident")
    if household.status != HouseholdStatus.ACTIVE:
        raise ApplicationError(_("This household is no longer registered here."), field="household")
    if data.resident is not None and data.resident.household_id != household.pk:
        raise ApplicationError(_("This person is not a member of the household."), field="resident")
    today = clock.today()
    visited_on = data.visited_on or today
    if visited_on > today:
        raise ApplicationError(_("A visit cannot be in the future."), field="visited_on")
    if visited_on < today - dt.timedelta(days=BACKDATE_DAYS):
        raise ApplicationError(
            _("Log visits within %(n)d days of making them.") % {"n": BACKDATE_DAYS}, field="visited_on"
        )
    unknown = set(data.flags) - set(Visit.FLAGS)
    if unknown:
        raise ApplicationError(_("Unknown finding."), field="flags")
    if len(data.findings) > 4000:
        raise ApplicationError(_("Keep what was found under 4,000 characters."), field="findings")
    if not (data.findings.strip() or data.flags):
        raise ApplicationError(_("Say what was found, or tick one of the boxes."), field="findings")
    if data.case is not None and not data.case.description.strip():
        raise ApplicationError(_("Describe the matter for the case."), field="case_description")
    if data.need and len(data.need) > 1000:
        raise ApplicationError(_("Keep the need under 1,000 characters."), field="need")
    return visited_on


def _replayed(key: str | None) -> Visit | None:
    if not key:
        return None
    visit = Visit.objects.filter(idempotency_key=key).first()
    if visit is not None:
        visit.replayed = True
    return visit


def _raise_case(actor, visit: Visit, raised: RaisedCase, key: str | None):
    from civicgrid.cases.models import Channel
    from civicgrid.cases.services import case_submit

    return case_submit(
        actor=actor,
        channel=Channel.VISIT,
        category=raised.category,
        title="",
        description=raised.description.strip(),
        urgency=raised.urgency or None,
        house=visit.household.house,
        reporter_resident=visit.resident if visit.kind != VisitKind.KEY_PERSON else None,
        idempotency_key=f"{key}:case" if key else None,
    )


def _propose(actor, household: Household, correction: Correction) -> None:
    from civicgrid.registry.services import correction_propose

    try:
        correction_propose(
            actor=actor,
            household=household,
            resident=correction.resident,
            changes=correction.changes,
            note=correction.note,
            source="visit",
        )
    except ApplicationError as exc:
        # The registry names its own fields; on the visit form they are all the correction's.
        raise ApplicationError(exc.message, field="correction_value", code=exc.code) from None


@transaction.atomic
def visit_log(*, actor, data: VisitInput, idempotency_key: str | None = None) -> Visit:
    """Log a visit. A repeated idempotency key returns the visit it made before (with `replayed` set)."""
    key = f"{actor.pk}:{idempotency_key}" if idempotency_key else None
    earlier = _replayed(key)
    if earlier is not None:
        return earlier
    household = Household.objects.select_related("house", "house__unit").get(pk=data.household.pk)
    data.household = household
    visited_on = _validate(actor, data)
    visit = Visit(
        household=household,
        territory_path=household.territory_path,
        resident=data.resident,
        kind=data.kind,
        visited_on=visited_on,
        visitor=actor,
        findings=data.findings.strip(),
        idempotency_key=key,
        **{flag: flag in data.flags for flag in Visit.FLAGS},
    )
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        earlier = _replayed(key)
        if earlier is None:
            raise
        return earlier  # the same form, sent twice at once (a phone reconnecting), won the race
    met = dues.meet(visit)
    dues.open_next(visit, met)
    if data.case is not None:
        visit.case = _raise_case(actor, visit, data.case, key)
        visit.save(update_fields=["case"])
    need = None
    if data.need.strip():
        need = need_create(actor=actor, household=household, description=data.need, visit=visit)
    if data.correction is not None and data.correction.changes:
        _propose(actor, household, data.correction)
        visit.correction_proposed = True
        visit.save(update_fields=["correction_proposed"])
    photos.photos_store(visit, data.photos)  # last: nothing after it can fail and leave files behind
    audit_record(
        actor=actor,
        # A key person's visit is audited under its own action, which the manifest restricts to the
        # roles that may know who the key persons are.
        action="visit.key_person.log" if visit.kind == VisitKind.KEY_PERSON else "visit.log",
        obj=visit,
        summary={
            "household": household.number,
            "kind": visit.kind,
            "visited_on": str(visited_on),
            "flags": sorted(data.flags),
            "met": len(met),
            "case": visit.case.code if visit.case_id else None,
            "need": need.pk if need else None,
            "photos": len(data.photos),
        },
    )
    payload = {
        "visit_id": visit.pk,
        "household_id": household.pk,
        "resident_id": visit.resident_id,
        "kind": visit.kind,
        "visited_on": visited_on,
        "actor_id": actor.pk,
        "territory_path": visit.territory_path,
    }
    transaction.on_commit(lambda: registry.publish("visit.logged", **payload))
    visit.replayed = False
    visit.met_dues = met
    return visit


# --- Needs


@transaction.atomic
def need_create(*, actor, household: Household, description: str, visit: Visit | None = None) -> Need:
    access.check(actor, "visits.log", household.territory_path)
    description = (description or "").strip()
    if not description:
        raise ApplicationError(_("Say what is needed."), field="need")
    need = Need.objects.create(
        household=household,
        territory_path=household.territory_path,
        visit=visit,
        description=description[:1000],
        raised_by=actor,
    )
    audit_record(actor=actor, action="need.create", obj=need, summary={"household": household.number})
    return need


@transaction.atomic
def need_meet(*, actor, need: Need, note: str = "") -> Need:
    need = Need.objects.select_for_update().get(pk=need.pk)
    access.check(actor, "visits.log", need.territory_path)
    if need.status == NeedStatus.MET:
        raise ApplicationError(_("This need is already met."), code="invalid_transition")
    need.status, need.met_at, need.met_by = NeedStatus.MET, clock.now(), actor
    need.met_note = (note or "").strip()[:1000]
    need.updated_at = need.met_at
    need.save()
    audit_record(actor=actor, action="need.meet", obj=need, summary={})
    return need


# --- Events from other modules


def on_case_changed(*, case, action, before, actor) -> None:
    """A case about a known house reached "closed": its households are due a return visit, if a rule
    says so. Runs inside the case's transaction, in a savepoint, so a failure here never undoes the case.
    """
    from civicgrid.cases.models import State

    if case.state != State.CLOSED or case.house_id is None:
        return
    if before is not None and before.get("state") == State.CLOSED:
        return
    closed_on = timezone.localdate(case.closed_at) if case.closed_at else clock.today()
    try:
        with transaction.atomic():
            dues.open_return(case=case, closed_on=closed_on)
    except Exception:  # the rating must not fail because of a follow-up visit
        log.exception("return visit for case %s could not be opened", case.pk)
