"""The workflow actions through the case page: each one allowed and refused, and what a refusal leaves."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicgrid.audit.models import AuditEvent
from civicgrid.cases import services
from civicgrid.cases.forms import ACTION_FORMS
from civicgrid.cases.models import Attachment, Extension, State, Tier
from civicgrid.cases.tests.test_views import (  # noqa: F401 - the autouse fixture applies here too
    JPEG,
    PNG,
    _act,
    _detail,
    _dispatched,
    _media_and_english,
    _reload,
    _submit,
)
from civicgrid.orgs import services as orgs_services

pytestmark = pytest.mark.django_db


def test_grid_chief_responds_and_the_case_is_being_handled(world, client_for):
    case = _submit(world)
    response = _act(client_for(world.grid_chief_a), case, "respond", note="马上去看")
    assert response.status_code == 302 and response["Location"] == _detail(case)
    case = _reload(case)
    assert case.state == State.HANDLING and case.handler == world.grid_chief_a


def test_escalating_needs_a_reason_and_without_one_changes_nothing(world, client_for):
    case = _submit(world)
    client = client_for(world.grid_chief_a)
    refused = _act(client, case, "escalate", note="  ")
    assert refused.status_code == 400
    form = next(a["form"] for a in refused.context["actions"] if a["name"] == "escalate")
    assert form.errors["note"]
    assert refused.context["open_action"] == "escalate"
    assert _reload(case).tier == Tier.GRID and case.events.count() == 1
    done = _act(client, case, "escalate", note="需要社区协调")
    assert done.status_code == 302
    assert _reload(case).tier == Tier.COMMUNITY


def test_a_refused_action_keeps_what_the_user_typed(world, client_for):
    case = _submit(world)
    response = _act(client_for(world.grid_chief_a), case, "merge", into="CNOSUCHCODE", note="重复反映")
    assert response.status_code == 400
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "merge")
    assert form.errors["into"] and form["note"].value() == "重复反映"
    assert "重复反映" in response.content.decode()
    assert _reload(case).state == State.RECEIVED


def test_secretary_returns_a_case_to_the_grid_with_a_reason(world, client_for):
    case = _submit(world)
    services.case_escalate(actor=world.grid_chief_a, case=case, note="上报")
    assert _act(client_for(world.secretary), case, "return", note="网格能办").status_code == 302
    assert _reload(case).tier == Tier.GRID


def test_grid_worker_is_forbidden_to_dispatch(world, client_for):
    case = _submit(world)
    response = _act(client_for(world.grid_worker_a), case, "dispatch", departments=world.department.pk)
    assert response.status_code == 403
    assert _reload(case).tier == Tier.GRID and not case.assignments.exists()


def test_secretary_dispatches_to_a_lead_and_a_co_handling_department(world, client_for):
    other = orgs_services.organisation_create(
        actor=None, kind="department", name="县住建局", territory=world.county, categories=["roads"]
    )
    case = _submit(world, category="water")
    client = client_for(world.secretary)
    form = next(a["form"] for a in client.get(_detail(case)).context["actions"] if a["name"] == "dispatch")
    offered = [pk for pk, _ in form.fields["co_departments"].choices]
    assert offered == [world.department.pk, other.pk]  # who handles water comes first
    response = client.post(
        reverse("cases:action", args=[case.pk]),
        {
            "action": "dispatch",
            "dispatch-departments": other.pk,
            "dispatch-co_departments": [world.department.pk],
        },
    )
    assert response.status_code == 302
    assignments = {a.department_id: a.lead for a in case.assignments.filter(active=True)}
    assert assignments == {other.pk: True, world.department.pk: False}
    assert _reload(case).tier == Tier.DEPARTMENT


def test_dispatch_without_a_department_says_so_on_the_field(world, client_for):
    case = _submit(world, category="water")
    response = _act(client_for(world.secretary), case, "dispatch", departments="")
    assert response.status_code == 400
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "dispatch")
    assert form.errors["departments"]
    assert not case.assignments.exists()


def test_handler_resolves_with_photos_kept_on_the_resolve_event(world, client_for):
    case = _dispatched(world)
    response = client_for(world.handler).post(
        reverse("cases:action", args=[case.pk]),
        {
            "action": "resolve",
            "resolve-note": "管道已修复",
            "resolve-photos": [
                SimpleUploadedFile("before.png", PNG, content_type="image/png"),
                SimpleUploadedFile("after.jpg", JPEG, content_type="image/jpeg"),
            ],
        },
    )
    assert response.status_code == 302
    case = _reload(case)
    assert case.state == State.RESOLVED and case.resolution == "管道已修复"
    event = case.events.get(action="resolve")
    photos = list(Attachment.objects.filter(case=case).order_by("id"))
    assert [(p.content_type, p.event_id) for p in photos] == [
        ("image/png", event.pk),
        ("image/jpeg", event.pk),
    ]
    assert AuditEvent.objects.filter(action="case.attach").exists()
    served = client_for(world.handler).get(reverse("cases:attachment", args=[case.pk, photos[0].pk]))
    assert served.status_code == 200 and b"".join(served.streaming_content) == PNG
    outsider = client_for(world.grid_chief_b).get(reverse("cases:attachment", args=[case.pk, photos[0].pk]))
    assert outsider.status_code == 404


@pytest.mark.parametrize(
    ("name", "content", "why"),
    [
        ("photo.png", b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not a JPEG or PNG"),
        ("big.jpg", b"\xff\xd8\xff" + b"\x00" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
)
def test_resolving_with_a_bad_photo_is_refused_and_changes_nothing(world, client_for, name, content, why):
    case = _submit(world)
    response = client_for(world.grid_chief_a).post(
        reverse("cases:action", args=[case.pk]),
        {
            "action": "resolve",
            "resolve-note": "已清理",
            "resolve-photos": [SimpleUploadedFile(name, content)],
        },
    )
    assert response.status_code == 400
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "resolve")
    assert why in " ".join(form.errors["photos"])
    assert _reload(case).state == State.RECEIVED
    assert not Attachment.objects.exists() and not case.events.filter(action="resolve").exists()


def test_solved_on_the_spot_is_recorded(world, client_for):
    case = _submit(world)
    services.case_respond(actor=world.grid_chief_a, case=case)
    _act(client_for(world.grid_chief_a), case, "resolve", note="当场清理", on_the_spot="on")
    assert _reload(case).on_the_spot


def test_staff_record_a_call_back_rating(world, client_for):
    case = _submit(world)
    services.case_resolve(actor=world.grid_chief_a, case=case, note="已清理")
    response = _act(client_for(world.secretary), case, "rate", rating="basically", comment="还行")
    assert response.status_code == 302
    case = _reload(case)
    assert (case.state, case.rating, case.rating_comment) == (State.CLOSED, "basically", "还行")


def test_an_invalid_action_shows_the_error_and_changes_nothing(world, client_for):
    case = _submit(world)
    response = _act(client_for(world.secretary), case, "rate", rating="satisfied")
    assert response.status_code == 400
    assert "not possible now" in " ".join(response.context["refused"])
    assert "not possible now" in response.content.decode()
    assert _reload(case).state == State.RECEIVED and case.events.count() == 1


def test_an_unknown_action_is_refused_with_a_message(world, client_for):
    case = _submit(world)
    response = _act(client_for(world.secretary), case, "delete")
    assert response.status_code == 302
    assert case.events.count() == 1


def test_merging_a_duplicate_by_its_code(world, client_for):
    first = _submit(world)
    again = _submit(world)
    response = _act(client_for(world.grid_chief_a), again, "merge", into=first.code.lower(), note="同一件事")
    assert response.status_code == 302
    assert _reload(again).merged_into_id == first.pk
    html = client_for(world.grid_chief_a).get(_detail(first)).content.decode()
    assert again.code in html  # listed among the duplicates merged in


def test_merging_into_a_case_the_user_cannot_see_reads_as_not_found(world, client_for):
    mine = _submit(world)
    theirs = _submit(world, household="b")
    response = _act(client_for(world.grid_chief_a), mine, "merge", into=theirs.code, note="重复")
    assert response.status_code == 400
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "merge")
    assert form.errors["into"]
    assert _reload(mine).state == State.RECEIVED


def test_more_time_is_asked_by_the_grid_and_decided_by_the_community(world, client_for):
    case = _submit(world)
    chief = client_for(world.grid_chief_a)
    assert _act(chief, case, "request_extension", days=3, note="等配件").status_code == 302
    extension = Extension.objects.get()
    due = extension.deadline.due_at
    assert "decide_extension" not in [a["name"] for a in chief.get(_detail(case)).context["actions"]]
    response = _act(
        client_for(world.secretary), case, "decide_extension", extension=extension.pk, decision="approve"
    )
    assert response.status_code == 302
    extension.refresh_from_db()
    extension.deadline.refresh_from_db()
    assert extension.status == "approved" and extension.deadline.due_at > due


def test_asking_for_too_many_days_is_refused_on_the_days_field(world, client_for):
    case = _submit(world)
    response = _act(client_for(world.grid_chief_a), case, "request_extension", days=90, note="太久")
    assert response.status_code == 400
    form = next(a["form"] for a in response.context["actions"] if a["name"] == "request_extension")
    assert form.errors["days"]
    assert not Extension.objects.exists()


def test_an_internal_note_is_added_to_the_timeline_as_internal(world, client_for):
    case = _submit(world)
    assert _act(client_for(world.grid_worker_a), case, "comment", note="先打电话").status_code == 302
    event = case.events.get(action="comment")
    assert not event.public and event.note == "先打电话"


@pytest.mark.parametrize("action", list(ACTION_FORMS))
def test_every_action_is_refused_to_the_grid_chief_once_the_case_left_the_grid(world, client_for, action):
    case = _dispatched(world)
    services.case_extension_request(actor=world.handler, case=case, days=3, note="等配件")
    fields = {
        "respond": {},
        "escalate": {"note": "再上报"},
        "return": {"note": "退回"},
        "dispatch": {"departments": world.department.pk},
        "resolve": {"note": "已处理"},
        "rate": {"rating": "satisfied"},
        "merge": {"into": _submit(world).code, "note": "重复"},
        "request_extension": {"days": 3, "note": "再等等"},
        "decide_extension": {"extension": Extension.objects.get().pk, "decision": "approve"},
        "comment": {"note": "看一下"},
    }[action]
    before = case.events.count()
    response = _act(client_for(world.grid_chief_a), case, action, **fields)
    # Rating waits for a resolution (400, said on the page); everything else is not the grid's to do (403).
    assert response.status_code == (400 if action == "rate" else 403)
    case = _reload(case)
    assert (case.tier, case.state, case.events.count()) == (Tier.DEPARTMENT, State.RECEIVED, before)
    assert Extension.objects.get().status == "pending"
