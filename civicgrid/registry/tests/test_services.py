"""Registry services: valid and invalid input, history rows, paths that follow, audit without plaintext."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from civicgrid import access
from civicgrid.audit.models import AuditEvent
from civicgrid.core import clock, idcard
from civicgrid.core.errors import ApplicationError
from civicgrid.core.protected import blind_index
from civicgrid.registry import services
from civicgrid.registry.models import (
    Household,
    HouseholdStatus,
    MoveKind,
    Relation,
    Resident,
    ResidentMove,
    ResidentStatus,
    Tag,
    Tagging,
)
from civicgrid.territory import services as territory_services
from civicgrid.testing import id_number

BORN = dt.date(1985, 6, 15)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def household(world):
    return world.households["a"]


def add(world, household, **data):
    data.setdefault("name", "新成员")
    return services.resident_add(actor=world.secretary, household=household, data=data)


def refusal(fn, *args, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        fn(*args, **kwargs)
    return caught.value


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("pk")


# --- Houses and households


def test_a_house_belongs_to_an_active_unit_and_needs_an_address(world):
    assert refusal(services.house_create, actor=None, unit=world.grid_a, address="x").field == "unit"
    assert refusal(services.house_create, actor=None, unit=world.unit_a1, address="  ").field == "address"
    house = services.house_create(
        actor=world.secretary, unit=world.unit_a1, address="幸福路1号", house_code="HTEST"
    )
    assert house.territory_path == world.unit_a1.path
    assert (
        refusal(services.house_create, actor=None, unit=world.unit_a1, address="y", house_code="HTEST").field
        == "house_code"
    )
    territory_services.territory_retire(actor=None, node=world.unit_c1)
    assert refusal(services.house_create, actor=None, unit=world.unit_c1, address="z").field == "unit"


def test_a_new_household_has_its_head_as_first_member_and_a_move_in_row(world):
    house = services.house_create(actor=None, unit=world.unit_b1, address="和平路2号")
    number = id_number(BORN, male=False)
    household = services.household_create(
        actor=world.secretary, house=house, head={"name": "户主", "id_number": number, "relation": "child"}
    )
    head = household.head
    assert head.relation == Relation.HEAD
    assert (head.birth_date, head.gender) == (BORN, "female")
    assert household.territory_path == head.territory_path == world.unit_b1.path
    assert household.number.startswith(world.unit_b1.code)
    move = ResidentMove.objects.get(resident=head)
    assert (move.kind, move.to_household) == (MoveKind.MOVE_IN, household)
    assert last_event("household.create").summary["head"] == "户主"


def test_a_household_number_cannot_be_taken_twice(world, household):
    error = refusal(
        services.household_create,
        actor=None,
        house=household.house,
        number=household.number,
        head={"name": "x", "gender": "male", "birth_date": BORN},
    )
    assert error.field == "number"


# --- Adding residents


def test_an_id_number_with_a_bad_checksum_is_refused_naming_the_field(world, household):
    good = id_number(BORN)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    error = refusal(add, world, household, id_number=bad)
    assert error.field == "id_number"
    assert "check digit" in error.message
    assert bad not in error.message


def test_an_id_number_of_the_wrong_shape_is_refused(world, household):
    assert refusal(add, world, household, id_number="12345").field == "id_number"


def test_a_duplicate_id_number_is_refused_as_duplicate_in_any_spelling(world, household):
    number = "11010519491231002X"
    add(world, household, id_number=number)
    for spelling in (
        number,
        number.lower(),
        " ".join([number[:6], number[6:]]),
        number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")),
    ):
        error = refusal(add, world, world.households["b"], id_number=spelling)
        assert (error.field, error.code) == ("id_number", "duplicate")


def test_gender_and_birth_date_follow_from_the_id_number(world, household):
    resident = add(world, household, id_number=id_number(BORN, male=True))
    assert (resident.gender, resident.birth_date) == ("male", BORN)


def test_a_birth_date_contradicting_the_id_number_is_refused(world, household):
    error = refusal(add, world, household, id_number=id_number(BORN), birth_date="1985-06-16")
    assert error.field == "birth_date"


def test_a_gender_contradicting_the_id_number_is_refused(world, household):
    error = refusal(add, world, household, id_number=id_number(BORN, male=True), gender="female")
    assert error.field == "gender"


def test_without_an_id_number_gender_and_birth_date_are_required(world, household):
    assert refusal(add, world, household, birth_date=BORN).field == "gender"
    assert refusal(add, world, household, gender="male").field == "birth_date"
    resident = add(world, household, gender="male", birth_date="2001-02-03")
    assert resident.birth_date == dt.date(2001, 2, 3)
    assert resident.id_number_hash is None


@pytest.mark.parametrize(
    "born",
    [
        "yesterday",
        "1850-01-01",
        "2999-01-01",
        "1985-02-30",
        (clock.today() + dt.timedelta(days=1)).isoformat(),
    ],
)
def test_an_implausible_birth_date_is_refused(world, household, born):
    assert refusal(add, world, household, gender="male", birth_date=born).field == "birth_date"


def test_an_id_number_with_a_future_birth_date_is_refused(world, household):
    future = idcard.make("520602", clock.today() + dt.timedelta(days=30), 5, male=True)
    assert refusal(add, world, household, id_number=future).field == "id_number"


def test_a_relocation_type_is_only_for_relocated_residents(world, household):
    error = refusal(add, world, household, gender="male", birth_date=BORN, relocation_type="reservoir")
    assert error.field == "relocation_type"
    resident = add(
        world,
        household,
        gender="male",
        birth_date=BORN,
        residence_type="relocated",
        relocation_type="reservoir",
    )
    assert resident.relocation_type == "reservoir"


@pytest.mark.parametrize(
    "field,value",
    [("gender", "other"), ("relation", "cousin"), ("status", "lost"), ("residence_type", "tourist")],
)
def test_unknown_choices_are_refused_naming_the_field(world, household, field, value):
    data = {"gender": "male", "birth_date": BORN, field: value}
    assert refusal(add, world, household, **data).field == field


def test_a_name_is_required_and_bounded(world, household):
    assert refusal(add, world, household, name=" ", gender="male", birth_date=BORN).field == "name"
    assert refusal(add, world, household, name="长" * 51, gender="male", birth_date=BORN).field == "name"


def test_a_phone_keeps_its_digits_and_must_be_plausible(world, household):
    assert refusal(add, world, household, gender="male", birth_date=BORN, phone="12-34").field == "phone"
    resident = add(world, household, gender="male", birth_date=BORN, phone="138 0013-8000")
    assert resident.phone.plaintext() == "13800138000"
    assert resident.phone_hash == blind_index("phone", "13800138000")


def test_a_household_that_moved_out_takes_no_new_members(world, household):
    services.household_update(actor=None, household=household, status=HouseholdStatus.MOVED_OUT)
    household.refresh_from_db()
    assert refusal(add, world, household, gender="male", birth_date=BORN).field == "household"


def test_the_audit_summary_of_an_added_resident_holds_no_plaintext_or_hash(world, household):
    number = id_number(BORN)
    resident = add(world, household, id_number=number, phone="13912345678")
    event = last_event("resident.add")
    text = str(event.summary) + event.object_repr
    assert event.object_id == str(resident.pk)
    assert number not in text and "13912345678" not in text
    assert resident.id_number_hash not in text
    assert event.summary["id_number"] == "(changed)"
    assert "id_number_hash" not in event.summary


# --- Updating residents


def test_an_update_records_what_changed(world, household):
    head = household.head
    services.resident_update(actor=world.clerk, resident=head, data={"name": "王大", "ethnicity": "苗族"})
    event = last_event("resident.update")
    assert event.actor == world.clerk
    assert event.summary["name"][1] == "王大"
    assert event.summary["ethnicity"] == ["汉族", "苗族"]


def test_an_update_that_changes_nothing_writes_nothing(world, household):
    before = AuditEvent.objects.count()
    services.resident_update(actor=None, resident=household.head, data={"name": household.head.name})
    assert AuditEvent.objects.count() == before


def test_a_new_id_number_replaces_the_hash_and_is_summarised_without_plaintext(world, household):
    head = household.head
    number = id_number(dt.date(1970, 3, 4))
    updated = services.resident_update(actor=None, resident=head, data={"id_number": number})
    assert updated.id_number.plaintext() == number
    assert Resident.objects.get(id_number_hash=blind_index("id_number", number)) == head
    assert last_event("resident.update").summary == {"id_number": "(changed)"}


def test_an_update_to_someone_elses_id_number_is_a_duplicate(world, household):
    other = world.households["b"].head.id_number.plaintext()
    error = refusal(services.resident_update, actor=None, resident=household.head, data={"id_number": other})
    assert (error.field, error.code) == ("id_number", "duplicate")


def test_an_update_of_the_birth_date_alone_must_agree_with_the_id_number_on_file(world, household):
    head = household.head
    assert (
        refusal(services.resident_update, actor=None, resident=head, data={"birth_date": "1971-01-01"}).field
        == "birth_date"
    )
    assert (
        refusal(
            services.resident_update,
            actor=None,
            resident=head,
            data={"gender": "female" if head.gender == "male" else "male"},
        ).field
        == "gender"
    )
    assert Resident.objects.get(pk=head.pk).birth_date == head.birth_date


def test_clearing_the_id_number_frees_the_hash(world, household):
    head = household.head
    updated = services.resident_update(actor=None, resident=head, data={"id_number": ""})
    assert updated.id_number_hash is None
    assert not updated.id_number
    services.resident_update(
        actor=None, resident=updated, data={"birth_date": "1971-01-01"}
    )  # nothing to contradict


def test_a_relocation_type_on_update_needs_a_relocated_resident(world, household):
    head = household.head
    assert (
        refusal(
            services.resident_update, actor=None, resident=head, data={"relocation_type": "poverty"}
        ).field
        == "relocation_type"
    )
    updated = services.resident_update(
        actor=None, resident=head, data={"residence_type": "relocated", "relocation_type": "poverty"}
    )
    assert updated.relocation_type == "poverty"


# --- Leaving and moving


def test_moving_out_records_history_and_frees_the_head(world, household):
    head = household.head
    services.resident_move_out(actor=world.secretary, resident=head, on=dt.date(2026, 1, 5), note="进城务工")
    head.refresh_from_db()
    household.refresh_from_db()
    assert head.status == ResidentStatus.MOVED_OUT
    assert household.head is None
    assert sorted(ResidentMove.objects.filter(resident=head).values_list("kind", flat=True)) == [
        MoveKind.MOVE_IN,
        MoveKind.MOVE_OUT,
    ]
    move = ResidentMove.objects.get(resident=head, kind=MoveKind.MOVE_OUT)
    assert (move.from_household, move.on, move.note) == (household, dt.date(2026, 1, 5), "进城务工")
    assert last_event("resident.move_out").summary == {
        "household": household.number,
        "deceased": False,
        "note": "进城务工",
    }


def test_a_death_is_recorded_and_a_resident_leaves_only_once(world, household):
    member = household.members.exclude(pk=household.head_id).first()
    services.resident_move_out(actor=None, resident=member, deceased=True)
    member.refresh_from_db()
    assert member.status == ResidentStatus.DECEASED
    assert ResidentMove.objects.filter(resident=member, kind=MoveKind.DEATH).count() == 1
    assert (
        refusal(services.resident_move_out, actor=None, resident=member).message
        == "This resident has already left."
    )


def test_a_transfer_moves_the_resident_its_tags_and_its_path(world, household):
    member = household.members.exclude(pk=household.head_id).first()
    services.tag_apply(actor=None, tag=Tag.objects.get(code="disabled"), resident=member)
    target = world.households["b"]
    moved = services.resident_transfer(actor=world.secretary, resident=member, to=target, relation="child")
    assert (moved.household, moved.relation, moved.territory_path) == (target, "child", target.territory_path)
    assert Resident.objects.get(pk=member.pk).territory_path == world.unit_b1.path
    assert set(Tagging.objects.filter(resident=member).values_list("territory_path", flat=True)) == {
        target.territory_path
    }
    move = ResidentMove.objects.filter(resident=member, kind=MoveKind.TRANSFER).get()
    assert (move.from_household, move.to_household, move.territory_path) == (
        household,
        target,
        target.territory_path,
    )
    assert last_event("resident.transfer").summary["to"] == target.number
    for user in (world.grid_chief_a, world.grid_chief_b):
        access.forget(user)
    assert member in set(access.scope(world.grid_chief_b, Resident.objects.all(), "registry.view"))
    assert member not in set(access.scope(world.grid_chief_a, Resident.objects.all(), "registry.view"))


def test_transferring_the_head_frees_the_source_household(world, household):
    services.resident_transfer(actor=None, resident=household.head, to=world.households["c"])
    assert Household.objects.get(pk=household.pk).head is None


def test_impossible_transfers_are_refused(world, household):
    member = household.head
    assert refusal(services.resident_transfer, actor=None, resident=member, to=household).field == "household"
    assert (
        refusal(
            services.resident_transfer,
            actor=None,
            resident=member,
            to=world.households["b"],
            relation="cousin",
        ).field
        == "relation"
    )
    closed = world.households["c"]
    services.household_update(actor=None, household=closed, status=HouseholdStatus.DISSOLVED)
    closed.refresh_from_db()
    assert refusal(services.resident_transfer, actor=None, resident=member, to=closed).field == "household"


def test_a_deceased_resident_cannot_be_transferred(world, household):
    services.resident_move_out(actor=None, resident=household.head, deceased=True)
    error = refusal(services.resident_transfer, actor=None, resident=household.head, to=world.households["b"])
    assert "deceased" in error.message
    assert Resident.objects.get(pk=household.head_id).status == ResidentStatus.DECEASED


def test_a_resident_who_moved_out_can_move_back_in_elsewhere(world, household):
    services.resident_move_out(actor=None, resident=household.head)
    back = services.resident_transfer(actor=None, resident=household.head, to=world.households["b"])
    assert back.status == ResidentStatus.PRESENT


# --- Households and tags


def test_a_new_head_must_be_a_member(world, household):
    outsider = world.households["b"].head
    assert refusal(services.household_update, actor=None, household=household, head=outsider).field == "head"
    assert (
        refusal(services.household_update, actor=None, household=household, status="gone").field == "status"
    )


def test_changing_the_head_swaps_the_relations(world, household):
    old_head = household.head
    member = household.members.exclude(pk=old_head.pk).first()
    services.household_update(actor=None, household=household, head=member)
    assert Resident.objects.get(pk=member.pk).relation == Relation.HEAD
    assert Resident.objects.get(pk=old_head.pk).relation == Relation.OTHER
    assert Household.objects.get(pk=household.pk).head == member


def test_a_tag_lands_on_the_right_kind_of_record_once(world, household):
    low_income = Tag.objects.get(code="low_income")  # a household tag
    tagging = services.tag_apply(actor=world.secretary, tag=low_income, household=household)
    assert tagging.territory_path == household.territory_path
    again = services.tag_apply(actor=world.secretary, tag=low_income, household=household)
    assert again.pk == tagging.pk
    assert AuditEvent.objects.filter(action="tag.apply").count() == 1
    assert refusal(services.tag_apply, actor=None, tag=low_income, resident=household.head).field == "tag"


def test_a_tag_needs_exactly_one_target(world, household):
    tag = Tag.objects.get(code="veteran")
    assert "either" in refusal(services.tag_apply, actor=None, tag=tag).message
    assert (
        "either"
        in refusal(
            services.tag_apply, actor=None, tag=tag, resident=household.head, household=household
        ).message
    )


def test_removing_a_tag_is_audited(world, household):
    tagging = services.tag_apply(actor=None, tag=Tag.objects.get(code="veteran"), resident=household.head)
    services.tag_remove(actor=world.secretary, tagging=tagging)
    assert not Tagging.objects.filter(pk=tagging.pk).exists()
    assert last_event("tag.remove").summary == {"tag": "veteran"}
