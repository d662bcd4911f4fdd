"""Registry corrections: proposed with a check of every field, applied through the registry's own
edits on approval, refused with a reason, protected values encrypted and never in the audit.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.utils import translation

from civicgrid.audit.models import AuditEvent
from civicgrid.core.errors import ApplicationError
from civicgrid.core.protected import blind_index
from civicgrid.registry import services
from civicgrid.registry.models import HouseholdStatus, Resident, ReviewStatus
from civicgrid.testing import id_number


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def household(world):
    return world.households["a"]


@pytest.fixture
def member(household):
    return household.members.exclude(pk=household.head_id).first()


def propose(world, household, resident=None, **changes):
    return services.correction_propose(
        actor=world.grid_worker_a, household=household, resident=resident, changes=changes
    )


def test_a_proposal_waits_and_changes_nothing_yet(world, household, member):
    correction = propose(world, household, member, name="王新名", phone="13911112222")
    assert correction.status == ReviewStatus.WAITING
    assert correction.territory_path == household.territory_path
    assert correction.changes == {"name": "王新名", "phone": None}
    member.refresh_from_db()
    assert member.name != "王新名"


def test_an_unknown_field_is_refused_by_name(world, household, member):
    with pytest.raises(ApplicationError) as exc:
        propose(world, household, member, salary="9000")
    assert exc.value.field == "salary" and exc.value.code == "unknown_field"
    with pytest.raises(ApplicationError) as exc:
        propose(world, household, None, name="x")  # a household has no name field
    assert exc.value.field == "name"


def test_a_bad_value_is_refused_when_proposed_naming_the_field(world, household, member):
    with pytest.raises(ApplicationError) as exc:
        propose(world, household, member, id_number="110105194912310021")
    assert exc.value.field == "id_number" and "check digit" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        propose(world, household, member, status="emigrated")
    assert exc.value.field == "status"


def test_a_proposal_that_changes_nothing_is_refused(world, household, member):
    with pytest.raises(ApplicationError) as exc:
        propose(world, household, member, name=member.name)
    assert exc.value.code == "unchanged"


def test_a_resident_of_another_household_cannot_be_corrected_through_this_one(world, household):
    stranger = world.households["b"].head
    with pytest.raises(ApplicationError) as exc:
        propose(world, household, stranger, name="某某")
    assert exc.value.field == "resident"


def test_the_same_proposal_sent_twice_is_one_proposal(world, household, member):
    first = propose(world, household, member, phone="13911112222")
    again = propose(world, household, member, phone="13911112222")
    other = propose(world, household, member, phone="13911113333")
    assert again.pk == first.pk and other.pk != first.pk


def test_protected_values_are_encrypted_in_the_proposal_and_absent_from_the_audit(world, household, member):
    number = id_number(dt.date(2001, 1, 2))
    correction = propose(world, household, member, id_number=number, phone="13911112222")
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, changes FROM registry_registrycorrection WHERE id = %s", [correction.pk]
        )
        row = " ".join(str(v) for v in cursor.fetchone())
    assert number not in row and "13911112222" not in row
    assert str(correction.phone) == "139****2222"
    flat = str(list(AuditEvent.objects.values_list("summary", flat=True)))
    assert number not in flat and "13911112222" not in flat


def test_approval_applies_through_resident_update_and_is_audited(world, household, member):
    number = id_number(dt.date(2001, 1, 2), male=False)
    correction = propose(world, household, member, id_number=number, phone="13911112222")
    # The ID number carries a birth date and gender: the proposal carries them too.
    assert correction.changes["birth_date"] == "2001-01-02" and correction.changes["gender"] == "female"
    services.correction_approve(actor=world.grid_chief_a, correction=correction)
    member.refresh_from_db()
    assert member.id_number_hash == blind_index("id_number", number)
    assert member.phone.plaintext() == "13911112222" and member.birth_date == dt.date(2001, 1, 2)
    correction.refresh_from_db()
    assert correction.status == ReviewStatus.APPROVED and correction.decided_by == world.grid_chief_a
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"correction.propose", "resident.update", "correction.approve"} <= actions


def test_a_household_correction_sets_status_notes_and_head(world, household, member):
    correction = propose(
        world, household, None, status="moved_out", notes="全家外出务工", head=str(member.pk)
    )
    services.correction_approve(actor=world.secretary, correction=correction)
    household.refresh_from_db()
    assert household.status == HouseholdStatus.MOVED_OUT and household.notes == "全家外出务工"
    assert household.head_id == member.pk


def test_a_head_who_is_not_a_member_is_refused(world, household):
    with pytest.raises(ApplicationError) as exc:
        propose(world, household, None, head=str(world.households["b"].head_id))
    assert exc.value.field == "head"


def test_an_approval_that_no_longer_validates_leaves_the_proposal_waiting(world, household, member):
    number = id_number(dt.date(1999, 9, 9))
    correction = propose(world, household, member, id_number=number)
    # Meanwhile someone else registers that number: applying the proposal would duplicate it.
    services.resident_add(
        actor=world.secretary, household=world.households["b"], data={"name": "重号", "id_number": number}
    )
    with pytest.raises(ApplicationError) as exc:
        services.correction_approve(actor=world.grid_chief_a, correction=correction)
    assert exc.value.code == "duplicate"
    correction.refresh_from_db()
    assert correction.status == ReviewStatus.WAITING


def test_rejection_needs_a_reason_and_decides_once(world, household, member):
    correction = propose(world, household, member, name="王错名")
    with pytest.raises(ApplicationError) as exc:
        services.correction_reject(actor=world.grid_chief_a, correction=correction, reason=" ")
    assert exc.value.field == "reason"
    services.correction_reject(actor=world.grid_chief_a, correction=correction, reason="户口本上不是这个名字")
    correction.refresh_from_db()
    assert correction.status == ReviewStatus.REJECTED and correction.reason == "户口本上不是这个名字"
    with pytest.raises(ApplicationError) as exc:
        services.correction_approve(actor=world.grid_chief_a, correction=correction)
    assert exc.value.code == "decided"
    assert Resident.objects.get(pk=member.pk).name == member.name


def test_the_proposer_does_not_review_their_own_correction(world, household, member):
    correction = services.correction_propose(
        actor=world.grid_chief_a, household=household, resident=member, changes={"name": "王自改"}
    )
    with pytest.raises(ApplicationError) as exc:
        services.correction_approve(actor=world.grid_chief_a, correction=correction)
    assert exc.value.code == "own_proposal"


def test_a_decision_is_published_after_commit(world, household, member, django_capture_on_commit_callbacks):
    from civicgrid.core import registry

    heard = []
    registry._subscribers["registry.correction_decided"].append(lambda **kw: heard.append(kw))
    try:
        correction = propose(world, household, member, name="王通知")
        with django_capture_on_commit_callbacks(execute=True):
            services.correction_approve(actor=world.grid_chief_a, correction=correction)
    finally:
        registry._subscribers["registry.correction_decided"].pop()
    by = world.grid_chief_a.pk
    assert heard == [{"correction_id": correction.pk, "status": "approved", "actor_id": by}]
