"""Logging a visit: what it raises from the same form, retries, photos, key persons and the event."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from civicgrid.audit.models import AuditEvent
from civicgrid.cases import catalogue
from civicgrid.cases.models import Case, Category
from civicgrid.core import clock
from civicgrid.core import registry as module_registry
from civicgrid.core.errors import ApplicationError
from civicgrid.registry.models import RegistryCorrection
from civicgrid.visits import photos, services
from civicgrid.visits.models import Need, NeedStatus, Visit, VisitKind, VisitPhoto
from civicgrid.visits.tests.helpers import visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def categories():
    catalogue.install(Category)
    return {c.code: c for c in Category.objects.all()}


def jpeg(name="p.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(out, "JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def test_a_visit_raises_a_case_at_the_households_house_through_the_home_visit_channel(world, categories):
    household = world.households["a"]
    logged = visit(
        world.grid_worker_a,
        household,
        flags={"safety_hazard"},
        case=services.RaisedCase(category=categories["roads"], description="楼前井盖缺失"),
    )
    case = Case.objects.get(pk=logged.case_id)
    assert (case.channel, case.house, case.territory_path) == (
        "visit",
        household.house,
        household.territory_path,
    )
    assert case.description == "楼前井盖缺失" and case.category.code == "roads"
    assert logged.safety_hazard and not logged.all_well


def test_a_visit_notes_a_need_that_someone_later_marks_met(world):
    logged = visit(world.grid_worker_a, world.households["a"], need="需要轮椅")
    need = Need.objects.get(visit=logged)
    assert (need.description, need.status, need.household) == (
        "需要轮椅",
        NeedStatus.OPEN,
        world.households["a"],
    )
    services.need_meet(actor=world.grid_chief_a, need=need, note="残联已送轮椅")
    need.refresh_from_db()
    assert (need.status, need.met_by, need.met_note) == (NeedStatus.MET, world.grid_chief_a, "残联已送轮椅")
    with pytest.raises(ApplicationError):
        services.need_meet(actor=world.grid_chief_a, need=need)


def test_a_visit_proposes_a_registry_correction_that_waits_for_review(world):
    household = world.households["a"]
    member = household.members.exclude(pk=household.head_id).first()
    logged = visit(
        world.grid_worker_a,
        household,
        flags={"registry_wrong"},
        correction=services.Correction(changes={"status": "away"}, resident=member, note="外出务工"),
    )
    correction = RegistryCorrection.objects.get(household=household)
    assert correction.resident == member and correction.changes == {"status": "away"}
    assert correction.source == "visit" and logged.correction_proposed
    member.refresh_from_db()
    assert member.status == "present"  # applied only after review


def test_a_correction_that_changes_nothing_refuses_the_whole_visit(world, categories):
    household = world.households["a"]
    with pytest.raises(ApplicationError) as refused:
        visit(
            world.grid_worker_a,
            household,
            case=services.RaisedCase(category=categories["roads"], description="井盖缺失"),
            correction=services.Correction(changes={"status": "present"}, resident=household.head),
        )
    assert refused.value.field == "correction_value"
    assert not Visit.objects.exists() and not Case.objects.exists()


def test_the_same_idempotency_key_gives_the_first_visit_and_one_case(world, categories):
    data = services.VisitInput(
        household=world.households["a"],
        kind=VisitKind.COMPREHENSIVE,
        findings="漏水",
        case=services.RaisedCase(category=categories["water"], description="水管漏水"),
    )
    first = services.visit_log(actor=world.grid_worker_a, data=data, idempotency_key="k-1")
    again = services.visit_log(actor=world.grid_worker_a, data=data, idempotency_key="k-1")
    assert again.pk == first.pk and again.replayed and not first.replayed
    assert Visit.objects.count() == 1 and Case.objects.count() == 1


def test_the_same_key_from_another_worker_is_another_visit(world):
    data = services.VisitInput(household=world.households["a"], kind="dynamic", findings="ok")
    one = services.visit_log(actor=world.grid_worker_a, data=data, idempotency_key="shared")
    two = services.visit_log(actor=world.grid_chief_a, data=data, idempotency_key="shared")
    assert one.pk != two.pk


def test_photos_are_stored_and_a_file_that_is_not_a_photo_is_refused_before_anything_is_saved(
    world, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    logged = visit(world.grid_worker_a, world.households["a"], photos=photos.photos_check([jpeg()]))
    (photo,) = VisitPhoto.objects.filter(visit=logged)
    assert photo.content_type == "image/jpeg" and photo.file.name.startswith("visits/")
    with pytest.raises(ApplicationError) as refused:
        photos.photos_check(
            [SimpleUploadedFile("x.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")]
        )
    assert refused.value.field == "photos"


@pytest.mark.parametrize(
    "change, field",
    [
        ({"findings": "", "flags": set()}, "findings"),
        ({"visited_on": dt.date(2026, 3, 3)}, "visited_on"),
        ({"visited_on": dt.date(2025, 12, 1)}, "visited_on"),
        ({"kind": "gossip"}, "kind"),
    ],
)
def test_bad_input_is_refused_on_the_field_it_concerns(world, change, field):
    base = {"household": world.households["a"], "kind": "comprehensive", "findings": "好"}
    with pytest.raises(ApplicationError) as refused:
        services.visit_log(actor=world.grid_worker_a, data=services.VisitInput(**(base | change)))
    assert refused.value.field == field


def test_a_resident_of_another_household_is_refused(world):
    stranger = world.households["b"].head
    with pytest.raises(ApplicationError) as refused:
        visit(world.grid_worker_a, world.households["a"], resident=stranger)
    assert refused.value.field == "resident"


def test_only_holders_of_the_key_persons_permission_log_key_person_visits(world, key_worker):
    household = world.households["a"]
    assert VisitKind.KEY_PERSON not in services.kinds_for(world.grid_worker_a, household.territory_path)
    assert VisitKind.KEY_PERSON in services.kinds_for(key_worker, household.territory_path)
    with pytest.raises(PermissionDenied):
        visit(world.grid_worker_a, household, kind=VisitKind.KEY_PERSON, resident=household.head)
    with pytest.raises(ApplicationError) as no_person:
        visit(key_worker, household, kind=VisitKind.KEY_PERSON)
    assert no_person.value.field == "resident"
    logged = visit(key_worker, household, kind=VisitKind.KEY_PERSON, resident=household.head)
    assert logged.resident == household.head


def test_visit_logged_is_published_after_commit_with_its_payload(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    heard = []
    monkeypatch.setitem(module_registry._subscribers, "visit.logged", [lambda **kw: heard.append(kw)])
    household = world.households["a"]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        logged = visit(world.grid_worker_a, household, kind="dynamic", resident=household.head)
    assert heard == []
    for callback in callbacks:
        callback()
    assert heard == [
        {
            "visit_id": logged.pk,
            "household_id": household.pk,
            "resident_id": household.head_id,
            "kind": "dynamic",
            "visited_on": clock.today(),
            "actor_id": world.grid_worker_a.pk,
            "territory_path": household.territory_path,
        }
    ]


def test_the_audit_record_names_what_happened_without_the_findings(world):
    logged = visit(
        world.grid_worker_a, world.households["a"], findings="老人说儿子欠债", flags={"needs_help"}
    )
    event = AuditEvent.objects.get(action="visit.log", object_id=str(logged.pk))
    assert event.summary["flags"] == ["needs_help"]
    assert "欠债" not in str(event.summary)
