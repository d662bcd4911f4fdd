"""The review queue's pages: scoped like the registry (404 in a sibling grid, 403 without
registry.review), lists within a fixed number of queries, decisions from the page, the today section.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from civicgrid.registry import services
from civicgrid.registry.models import Resident, ReviewStatus
from civicgrid.registry.tests.conftest import person, send
from civicgrid.testing import id_number

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def waiting(world, new_house_a):
    return send(new_house_a, person("陈等", phone="13911112222"))


@pytest.fixture
def correction(world):
    household = world.households["a"]
    member = household.members.exclude(pk=household.head_id).first()
    return services.correction_propose(
        actor=world.grid_worker_a, household=household, resident=member, changes={"phone": "13788889999"}
    )


def test_the_grid_chief_sees_what_waits_in_the_grid_masked(world, client_for, waiting, correction):
    chief = client_for(world.grid_chief_a)
    page = chief.get(reverse("registry:review"), **EN).text
    assert "陈等" in page and waiting.code in page
    detail = chief.get(reverse("registry:review_registration", args=[waiting.pk]), **EN).text
    assert "139****2222" in detail and "13911112222" not in detail
    number = waiting.people.get().id_number.plaintext()
    assert number not in detail and number[:3] + "*" * 11 + number[-4:] in detail
    corrections = chief.get(reverse("registry:review"), {"kind": "corrections"}, **EN).text
    assert correction.resident.name in corrections
    shown = chief.get(reverse("registry:review_correction", args=[correction.pk]), **EN).text
    assert "137****9999" in shown and "13788889999" not in shown


def test_a_sibling_grid_chief_finds_nothing(world, client_for, waiting, correction):
    other = client_for(world.grid_chief_b)
    assert "陈等" not in other.get(reverse("registry:review"), **EN).text
    assert other.get(reverse("registry:review_registration", args=[waiting.pk])).status_code == 404
    assert other.get(reverse("registry:review_correction", args=[correction.pk])).status_code == 404
    response = other.post(reverse("registry:review_approve", args=[waiting.pk]))
    assert response.status_code == 404
    assert other.post(reverse("registry:review_correction_approve", args=[correction.pk])).status_code == 404


def test_a_grid_worker_is_no_reviewer(world, client_for, waiting, correction):
    worker = client_for(world.grid_worker_a)
    assert worker.get(reverse("registry:review")).status_code == 403
    assert worker.get(reverse("registry:review_registration", args=[waiting.pk])).status_code == 403
    assert (
        worker.post(reverse("registry:review_reject", args=[waiting.pk]), {"reason": "不对"}).status_code
        == 403
    )
    assert worker.post(reverse("registry:review_correction_approve", args=[correction.pk])).status_code == 403
    waiting.refresh_from_db()
    assert waiting.status == ReviewStatus.WAITING


def test_the_secretary_and_the_clerk_review_the_whole_community(world, client_for, waiting):
    for user in (world.secretary, world.clerk):
        assert (
            client_for(user).get(reverse("registry:review_registration", args=[waiting.pk])).status_code
            == 200
        )


def test_approving_from_the_page_registers_and_returns_to_the_queue(world, client_for, waiting):
    response = client_for(world.grid_chief_a).post(
        reverse("registry:review_approve", args=[waiting.pk]), {"household": ""}
    )
    assert (
        response.status_code == 302
        and response["Location"] == reverse("registry:review") + "?kind=registrations"
    )
    assert Resident.objects.filter(name="陈等").exists()


def test_a_rejection_without_a_reason_stays_on_the_page_with_a_message(world, client_for, waiting):
    response = client_for(world.grid_chief_a).post(
        reverse("registry:review_reject", args=[waiting.pk]), {"reason": ""}, **EN
    )
    assert response.status_code == 400 and "This field is required" in response.text


def test_a_match_is_shown_masked_and_merging_from_the_page_updates_the_resident(world, client_for, house_a):
    household = world.households["a"]
    resident = household.members.exclude(pk=household.head_id).first()
    registration = send(house_a, {"name": "王合并", "id_number": resident.id_number.plaintext()})
    chief = client_for(world.grid_chief_a)
    page = chief.get(reverse("registry:review_registration", args=[registration.pk]), **EN).text
    assert "Already registered" in page and str(resident.id_number) in page and household.number in page
    assert chief.post(reverse("registry:review_merge", args=[registration.pk])).status_code == 302
    resident.refresh_from_db()
    assert resident.name == "王合并"


def test_a_match_outside_my_area_is_named_but_not_shown_nor_merged(world, client_for, house_a):
    stranger = world.households["b"].head  # in grid B
    registration = send(house_a, {"name": "李某", "id_number": stranger.id_number.plaintext()})
    chief = client_for(world.grid_chief_a)
    page = chief.get(reverse("registry:review_registration", args=[registration.pk]), **EN).text
    assert "Already registered outside your area." in page and world.households["b"].number not in page
    chief.post(reverse("registry:review_merge", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.status == ReviewStatus.WAITING


def test_applying_a_correction_from_the_page(world, client_for, correction):
    response = client_for(world.grid_chief_a).post(
        reverse("registry:review_correction_approve", args=[correction.pk])
    )
    assert response.status_code == 302
    correction.resident.refresh_from_db()
    assert correction.resident.phone.plaintext() == "13788889999"


def test_the_queue_lists_in_a_fixed_number_of_queries(
    world, client_for, new_house_a, django_assert_max_num_queries
):
    for i in range(12):
        send(
            new_house_a,
            person(f"陈{i}", dt.date(1980, 1, 1 + i)),
            person(f"陈子{i}", dt.date(2010, 1, 1 + i)),
        )
    chief = client_for(world.grid_chief_a)
    chief.get(reverse("registry:review"))  # warm the session
    with django_assert_max_num_queries(14):
        page = chief.get(reverse("registry:review"))
    assert page.status_code == 200 and page.text.count('class="review-row"') == 12


def test_the_correction_queue_lists_in_a_fixed_number_of_queries(
    world, client_for, django_assert_max_num_queries
):
    household = world.households["a"]
    for member in household.members.all():
        for i in range(4):
            services.correction_propose(
                actor=world.grid_worker_a,
                household=household,
                resident=member,
                changes={"phone": f"1370000{i:04d}"},
            )
    chief = client_for(world.grid_chief_a)
    chief.get(reverse("registry:review"), {"kind": "corrections"})
    with django_assert_max_num_queries(14):
        page = chief.get(reverse("registry:review"), {"kind": "corrections"})
    assert page.text.count('class="review-row"') == 12


def test_the_queue_pages_with_a_cursor(world, client_for, new_house_a):
    for i in range(27):
        send(new_house_a, person(f"陈{i}", dt.date(1980, 1, 1 + i)))
    chief = client_for(world.grid_chief_a)
    first = chief.get(reverse("registry:review"))
    assert first.text.count('class="review-row"') == 25 and "after=" in first.text
    cursor = first.text.split("after=")[1].split('"')[0]
    more = chief.get(reverse("registry:review"), {"after": cursor}, HTTP_HX_REQUEST="true")
    assert more.text.count('class="review-row"') == 2


def test_the_today_section_lists_what_waits_for_me(world, client_for, waiting, correction):
    page = client_for(world.grid_chief_a).get(reverse("today"), **EN).text
    assert 'id="today-review"' in page and "1 self-registration" in page and "1 correction" in page
    assert 'id="today-review"' not in client_for(world.grid_chief_b).get(reverse("today"), **EN).text
    assert 'id="today-review"' not in client_for(world.grid_worker_a).get(reverse("today"), **EN).text


def test_the_navigation_counts_what_waits(world, client_for, waiting, correction):
    page = client_for(world.grid_chief_a).get(reverse("registry:household_list"), **EN).text
    assert '<span id="nav-badge-registry-review" class="badge nav-badge">2</span>' in page


def test_an_id_number_proposed_elsewhere_stays_masked_on_the_correction_page(world, client_for):
    household = world.households["a"]
    member = household.members.exclude(pk=household.head_id).first()
    number = id_number(dt.date(2002, 2, 2))
    correction = services.correction_propose(
        actor=world.grid_worker_a, household=household, resident=member, changes={"id_number": number}
    )
    page = (
        client_for(world.secretary)
        .get(reverse("registry:review_correction", args=[correction.pk]), **EN)
        .text
    )
    assert number not in page and number[-4:] in page and "2002-02-02" in page
