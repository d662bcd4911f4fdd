"""Self-registrations reviewed: approved as a new household or into one at the house, merged with
residents matched by ID number, or rejected with a reason; each decision once, through the
registry's own services, audited.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from civicgrid.audit.models import AuditEvent
from civicgrid.core.errors import ApplicationError
from civicgrid.registry import services
from civicgrid.registry.models import Relation, Resident, ResidentStatus, ReviewStatus
from civicgrid.registry.tests.conftest import person, send


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_a_bad_id_number_is_refused_on_the_persons_field(new_house_a):
    with pytest.raises(ApplicationError) as exc:
        send(new_house_a, person("陈一"), {"name": "陈二", "id_number": "110105194912310021"})
    assert exc.value.field == "members-0-id_number" and "check digit" in exc.value.message


def test_an_update_is_one_person_only(new_house_a):
    with pytest.raises(ApplicationError):
        send(new_house_a, person("陈一"), person("陈二", dt.date(1991, 1, 1)), kind="update")


def test_approval_registers_a_new_household_with_the_head_first(world, new_house_a):
    child = person("陈小", dt.date(2015, 5, 5), relation="child", phone="")
    head = person("陈大", phone="13911110000")
    registration = send(new_house_a, child, head)
    services.self_registration_approve(actor=world.grid_chief_a, registration=registration)
    registration.refresh_from_db()
    assert registration.status == ReviewStatus.APPROVED and registration.decided_by == world.grid_chief_a
    household = registration.household
    assert household.house == new_house_a and household.head.name == "陈大"
    assert household.head.phone.plaintext() == "13911110000"
    assert sorted(household.members.values_list("name", "relation")) == [("陈大", "head"), ("陈小", "child")]
    assert [p.resident_id is not None for p in registration.people.all()] == [True, True]
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert "household.create" in actions and "self_registration.approve" in actions


def test_approval_into_a_household_at_the_house_adds_new_members(world, house_a):
    household = house_a.households.get()
    registration = send(house_a, person("王回", dt.date(1995, 1, 1)))  # says "head": the head is on file
    services.self_registration_approve(
        actor=world.grid_chief_a, registration=registration, household=household
    )
    added = Resident.objects.get(name="王回")
    assert added.household == household and added.relation == Relation.OTHER
    assert household.head.name != "王回"


def test_approval_into_a_household_elsewhere_is_refused(world, house_a):
    registration = send(house_a, person("王回"))
    with pytest.raises(ApplicationError) as exc:
        services.self_registration_approve(
            actor=world.grid_chief_a, registration=registration, household=world.households["b"]
        )
    assert exc.value.field == "household"


def test_someone_already_registered_is_merged_not_approved(world, house_a):
    resident = world.households["a"].members.exclude(pk=world.households["a"].head_id).first()
    number = resident.id_number.plaintext()
    registration = send(house_a, {"name": "王新名", "id_number": number, "phone": "13622223333"})
    with pytest.raises(ApplicationError) as exc:
        services.self_registration_approve(actor=world.grid_chief_a, registration=registration)
    assert exc.value.code == "matched"


def test_a_merge_updates_the_matched_resident_and_adds_the_rest_to_their_household(world, house_a):
    household = world.households["a"]
    resident = household.members.exclude(pk=household.head_id).first()
    Resident.objects.filter(pk=resident.pk).update(status=ResidentStatus.AWAY)
    registration = send(
        house_a,
        {
            "name": "王归来",
            "id_number": resident.id_number.plaintext(),
            "relation": "child",
            "phone": "13622223333",
        },
        person("王孙", dt.date(2020, 8, 8), relation="grandchild"),
    )
    services.self_registration_merge(actor=world.grid_chief_a, registration=registration)
    resident.refresh_from_db()
    assert resident.name == "王归来" and resident.phone.plaintext() == "13622223333"
    assert resident.status == ResidentStatus.PRESENT  # back home
    assert Resident.objects.get(name="王孙").household == household
    registration.refresh_from_db()
    assert registration.status == ReviewStatus.MERGED and registration.household == household
    assert AuditEvent.objects.filter(action="resident.update", object_id=str(resident.pk)).exists()


def test_a_merge_with_nobody_matched_is_refused(world, new_house_a):
    registration = send(new_house_a, person("陈无"))
    with pytest.raises(ApplicationError) as exc:
        services.self_registration_merge(actor=world.grid_chief_a, registration=registration)
    assert exc.value.code == "no_match"


def test_a_rejection_keeps_its_reason_and_decides_once(world, new_house_a):
    registration = send(new_house_a, person("陈拒"))
    with pytest.raises(ApplicationError) as exc:
        services.self_registration_reject(actor=world.grid_chief_a, registration=registration, reason="")
    assert exc.value.field == "reason"
    services.self_registration_reject(actor=world.grid_chief_a, registration=registration, reason="不住本户")
    registration.refresh_from_db()
    assert registration.status == ReviewStatus.REJECTED and registration.reason == "不住本户"
    with pytest.raises(ApplicationError) as exc:
        services.self_registration_approve(actor=world.grid_chief_a, registration=registration)
    assert exc.value.code == "decided"
    assert not Resident.objects.filter(name="陈拒").exists()


def test_an_approval_into_a_household_no_longer_active_is_refused_and_waits(world, house_a):
    registration = send(house_a, person("陈甲"))
    services.household_update(actor=world.secretary, household=world.households["a"], status="dissolved")
    with pytest.raises(ApplicationError):
        services.self_registration_approve(
            actor=world.grid_chief_a, registration=registration, household=world.households["a"]
        )
    registration.refresh_from_db()
    assert registration.status == ReviewStatus.WAITING


def test_the_audit_of_a_submission_holds_no_id_number_or_phone(new_house_a):
    data = person("陈密", phone="13955556666")
    send(new_house_a, data)
    flat = str(list(AuditEvent.objects.values_list("summary", flat=True)))
    assert data["id_number"] not in flat and "13955556666" not in flat


def test_the_services_themselves_refuse_a_reviewer_outside_or_without_the_right(world, new_house_a):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    registration = send(new_house_a, person("陈外"))
    with pytest.raises(Http404):  # the sibling grid's chief: it does not exist for them
        services.self_registration_approve(actor=world.grid_chief_b, registration=registration)
    with pytest.raises(PermissionDenied):  # a grid worker in the grid reviews nothing
        services.self_registration_reject(actor=world.grid_worker_a, registration=registration, reason="不对")
    registration.refresh_from_db()
    assert registration.status == ReviewStatus.WAITING
