"""A resident follows a case by its code: the public part only, then rates it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from civicgrid.cases import attachments, services
from civicgrid.cases.models import Case, Category, State, Tier

pytestmark = pytest.mark.django_db


def _reported(world, **kw):
    defaults = {
        "actor": None,
        "channel": "portal",
        "category": Category.objects.get(code="sanitation"),
        "title": "",
        "description": "垃圾桶满了没人清",
        "house": world.households["a"].house,
        "reporter_name": "王秀英",
        "reporter_phone": "13912345678",
    }
    return services.case_submit(**{**defaults, **kw})


def _resolved(world):
    case = _reported(world)
    services.case_respond(actor=world.grid_chief_a, case=case)
    return services.case_resolve(actor=world.grid_chief_a, case=case, note="已清运")


def test_tracking_shows_the_public_timeline_without_staff_names_or_the_reporter(world, client):
    case = _reported(world)
    services.case_respond(actor=world.grid_chief_a, case=case, note="马上派人")
    services.case_comment(actor=world.grid_chief_a, case=case, note="内部备注：此人经常投诉")
    services.case_escalate(actor=world.grid_chief_a, case=case, note="需要物业配合")
    page = client.get(f"/p/track/{case.code}/")
    assert page.status_code == 200
    text = page.text
    assert "马上派人" in text and "需要物业配合" in text
    assert "内部备注" not in text  # an internal event
    for secret in ("grid_chief_a", "王秀英", "13912345678", "139****5678"):
        assert secret not in text
    assert str(Tier.COMMUNITY.label) in text or "village / community" in text


def test_a_dispatched_case_shows_the_department_instead_of_a_person(world, client):
    case = _reported(world, category=Category.objects.get(code="water"))
    services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
    services.case_resolve(actor=world.handler, case=case, note="管道已修复")
    text = client.get(f"/p/track/{case.code}/").text
    assert "县水务局" in text and "管道已修复" in text
    assert "handler" not in text.replace("handled", "") and "secretary" not in text


def test_the_lookup_form_leads_to_the_case_page_whatever_the_case_of_the_letters(world, client):
    case = _reported(world)
    response = client.get("/p/track/", {"code": " " + case.code.lower() + " "})
    assert response.status_code == 302 and response["Location"] == f"/p/track/{case.code}/"


def test_an_unknown_code_says_so(client, db):
    for url in ("/p/track/C000000ZZZZZZZZ/", "/p/track/?code=C000000ZZZZZZZZ"):
        page = client.get(url)
        assert page.status_code == 404
        assert "C000000ZZZZZZZZ" in page.text and ("no case" in page.text.lower() or "没有" in page.text)


def test_guessing_codes_is_slowed_down_by_address(client, db, settings):
    settings.CIVICGRID_PORTAL_LOOKUPS_PER_HOUR = 3
    for i in range(3):
        assert client.get(f"/p/track/CGUESS{i}/").status_code == 404
    assert client.get("/p/track/CGUESS9/").status_code == 429


def test_satisfied_closes_the_case(world, client):
    case = _resolved(world)
    page = client.get(f"/p/track/{case.code}/").text
    assert f'action="/p/track/{case.code}/rate/"' in page
    response = client.post(f"/p/track/{case.code}/rate/", {"rating": "satisfied", "comment": "很快"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "satisfied" and case.rating_comment == "很快"
    after = client.get(response["Location"]).text
    assert f'action="/p/track/{case.code}/rate/"' not in after  # nothing left to rate


def test_unsatisfied_reopens_the_case_for_handling(world, client):
    case = _resolved(world)
    client.post(f"/p/track/{case.code}/rate/", {"rating": "unsatisfied", "comment": "还是很脏"})
    case.refresh_from_db()
    assert case.state == State.HANDLING and case.reopen_count == 1
    text = client.get(f"/p/track/{case.code}/").text
    assert "还是很脏" in text


def test_rating_twice_is_refused_with_a_message_and_changes_nothing(world, client):
    case = _resolved(world)
    client.post(f"/p/track/{case.code}/rate/", {"rating": "satisfied"})
    response = client.post(f"/p/track/{case.code}/rate/", {"rating": "unsatisfied"}, follow=True)
    case.refresh_from_db()
    assert case.state == State.CLOSED and case.rating == "satisfied"
    assert "msg-error" in response.text


def test_a_case_that_is_not_resolved_cannot_be_rated(world, client):
    case = _reported(world)
    client.post(f"/p/track/{case.code}/rate/", {"rating": "satisfied"})
    case.refresh_from_db()
    assert case.state == State.RECEIVED and case.rating == ""


def test_a_merged_case_points_to_the_one_it_joined(world, client):
    first = _reported(world)
    second = _reported(world, description="同一个垃圾桶")
    services.case_merge(actor=world.grid_chief_a, case=second, into=first, note="重复")
    text = client.get(f"/p/track/{second.code}/").text
    assert first.code in text and f"/p/track/{first.code}/" in text


def test_only_public_photos_of_the_case_are_served(world, client, png_bytes):
    case = _reported(world)
    other = _reported(world)
    checked = attachments.photos_check([SimpleUploadedFile("a.png", png_bytes)])
    public = attachments.attachments_add(actor=None, case=case, photos=checked)[0]
    private = attachments.attachments_add(actor=None, case=case, photos=checked, public=False)[0]
    ok = client.get(f"/p/track/{case.code}/photos/{public.pk}/")
    assert ok.status_code == 200 and ok["Content-Type"] == "image/png"
    assert b"".join(ok.streaming_content).startswith(b"\x89PNG")
    assert client.get(f"/p/track/{case.code}/photos/{private.pk}/").status_code == 404
    assert client.get(f"/p/track/{other.code}/photos/{public.pk}/").status_code == 404
    page = client.get(f"/p/track/{case.code}/").text
    assert f"/photos/{public.pk}/" in page and f"/photos/{private.pk}/" not in page
    assert Case.objects.count() == 2
