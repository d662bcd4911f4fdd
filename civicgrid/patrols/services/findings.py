"""Findings on a shift, and raising one as a case through the cases module's intake.

A finding is recorded by a member who checked in to the shift (or by the leader for a member), with
an optional point and photo. It can be raised as a case in the same step or later, exactly once (the
case is made with an idempotency key derived from the finding), or settled on the spot.
"""

from __future__ import annotations

import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.audit.services import audit_record
from civicgrid.cases import attachments
from civicgrid.cases.models import Case, Category, Channel
from civicgrid.cases.services import case_submit
from civicgrid.core import clock, paths
from civicgrid.core.errors import ApplicationError
from civicgrid.patrols import rules
from civicgrid.patrols.models import Attendance, PatrolFinding, PatrolMember, PatrolShift
from civicgrid.territory.models import Level
from civicgrid.territory.services import territory_locate

CASE_CHANNEL = Channel.PATROL


def _place(shift: PatrolShift, lon: float | None, lat: float | None):
    if (lon is None) != (lat is None):
        raise ApplicationError(_("Give both longitude and latitude, or neither."), field="lon")
    if lon is not None:
        node = territory_locate(lon=lon, lat=lat, level=Level.GRID)
        if node is None:
            raise ApplicationError(_("This point is outside every grid we serve."), field="lon")
        if not paths.is_within(node.path, shift.team.territory_path):
            raise ApplicationError(_("This point is outside the team's area."), field="lon")
        return node
    if shift.area_id and shift.area.territory_id:
        return shift.area.territory
    return shift.team.territory


@transaction.atomic
def finding_record(
    *,
    actor,
    shift: PatrolShift,
    member: PatrolMember,
    description: str,
    place: str = "",
    lon: float | None = None,
    lat: float | None = None,
    photo=None,
    raise_case: bool = False,
    category: Category | None = None,
) -> PatrolFinding:
    shift = PatrolShift.objects.select_related("team__territory", "area__territory").get(pk=shift.pk)
    rules.check_member_action(actor, shift.team, member)
    if shift.closed_at is not None:
        raise ApplicationError(_("This shift is closed."), code="closed")
    on_shift = Attendance.objects.filter(shift=shift, member=member, checked_in_at__isnull=False).exists()
    if not on_shift:
        raise ApplicationError(
            _("Check in to the shift before recording what you find."), code="not_checked_in"
        )
    description = (description or "").strip()
    if not description:
        raise ApplicationError(_("Say what you found."), field="description")
    if raise_case and category is None:
        raise ApplicationError(_("Choose a category for the case."), field="category")
    photos = attachments.photos_check([photo] if photo else [], field="photo")
    finding = PatrolFinding(
        shift=shift,
        member=member,
        territory_path=shift.territory_path,
        description=description,
        place=(place or "").strip()[:200],
        lon=lon,
        lat=lat,
        territory=_place(shift, lon, lat),
        recorded_by=actor,
    )
    if photos:
        content, content_type, ext = photos[0]
        finding.photo.save(f"{uuid.uuid4().hex}.{ext}", ContentFile(content), save=False)
        finding.photo_type = content_type
    try:
        finding.save()
        audit_record(
            actor=actor,
            action="patrol_finding.record",
            obj=finding,
            summary={"shift": shift.pk, "member": member.pk, "photo": bool(photos)},
        )
        if raise_case:
            finding.case = finding_raise(actor=actor, finding=finding, category=category)
    except Exception:
        if finding.photo:
            finding.photo.delete(save=False)  # the row rolls back; the file on disk would not
        raise
    return finding


def _locked(finding: PatrolFinding) -> PatrolFinding:
    return (
        PatrolFinding.objects.select_for_update(of=("self",))
        .select_related("shift__team", "member__user", "territory")
        .get(pk=finding.pk)
    )


def _check_open(finding: PatrolFinding) -> None:
    if finding.case_id is not None:
        raise ApplicationError(
            _("This finding is already case %(code)s.") % {"code": finding.case.code}, code="raised"
        )
    if finding.settled_at is not None:
        raise ApplicationError(_("This finding was settled on the spot."), code="settled")


@transaction.atomic
def finding_raise(*, actor, finding: PatrolFinding, category: Category | None) -> Case:
    """Make a case of a finding, reported by the member who found it, with its photo."""
    finding = _locked(finding)
    rules.check_member_action(actor, finding.shift.team, finding.member)
    _check_open(finding)
    if category is None:
        raise ApplicationError(_("Choose a category for the case."), field="category")
    # Patrols vouch for their members; staff who take cases in there appear on the case as its intake.
    intake = actor if access.has_perm_at(actor, "cases.intake", finding.territory.path) else None
    reporter = finding.member.user or actor
    case = case_submit(
        actor=intake,
        channel=CASE_CHANNEL,
        category=category,
        title="",
        description=finding.description,
        territory=finding.territory,
        lon=finding.lon,
        lat=finding.lat,
        address=finding.place,
        reporter_user=reporter,
        reporter_name=finding.member.display_name,
        idempotency_key=f"patrols:finding:{finding.pk}",
    )
    if finding.photo and not case.attachments.exists():
        with finding.photo.open("rb") as f:
            content = f.read()
        ext = finding.photo.name.rsplit(".", 1)[-1]
        event = case.events.filter(action="submit").first()
        attachments.attachments_add(
            actor=actor, case=case, photos=[(content, finding.photo_type, ext)], event=event
        )
    finding.case = case
    finding.updated_at = clock.now()
    finding.save(update_fields=["case", "updated_at"])
    audit_record(actor=actor, action="patrol_finding.raise", obj=finding, summary={"case": case.code})
    return case


@transaction.atomic
def finding_settle(*, actor, finding: PatrolFinding, note: str) -> PatrolFinding:
    """Settled on the spot (a small matter stays in the grid): no case, a note saying how."""
    finding = _locked(finding)
    rules.check_member_action(actor, finding.shift.team, finding.member)
    _check_open(finding)
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("Say how it was settled."), field="note")
    finding.settled_at = finding.updated_at = clock.now()
    finding.settled_note = note[:200]
    finding.save(update_fields=["settled_at", "settled_note", "updated_at"])
    audit_record(actor=actor, action="patrol_finding.settle", obj=finding)
    return finding
