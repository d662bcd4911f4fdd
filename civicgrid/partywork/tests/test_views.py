"""The party-work pages: a member's list and the contact form (htmx and plain), pairing and handing
over from a member's page, coverage; access (404 outside, 403 inside, a member sees only their own);
flat query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.partywork import services
from civicgrid.partywork.models import ContactLog, ContactPairing
from civicgrid.testing import make_household

pytestmark = pytest.mark.django_db


@pytest.fixture
def paired(party):
    party.pairings = services.contact_pairing_create(
        actor=party.grid_chief_a, member=party.member_a, households=[party.households[k] for k in ("a", "a2")]
    ).pairings
    party.pairing_b = services.contact_pairing_create(
        actor=party.grid_chief_b, member=party.member_b, households=[party.households["b"]]
    ).pairings[0]
    return party


def _post_contact(client, pairing, method="visit", htmx=True, **extra):
    data = {f"c{pairing.pk}-method": method, f"c{pairing.pk}-note": "", **extra}
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("partywork:contact", args=[pairing.pk]), data, **headers)


def test_a_members_list_shows_households_not_contacted_first(paired, client_for):
    body = client_for(paired.member_a).get(reverse("partywork:mine")).content.decode()
    assert body.index('id="not-contacted"') < body.index(paired.households["a"].number)
    assert paired.households["b"].number not in body


def test_recording_with_htmx_moves_the_household_to_contacted(paired, client_for):
    response = _post_contact(client_for(paired.member_a), paired.pairings[0], "phone")
    assert response.status_code == 200
    body = response.content.decode()
    not_contacted, contacted = body.split('id="not-contacted"')[1].split('id="contacted"')
    marker = f'data-household="{paired.households["a"].number}"'
    assert marker in contacted and marker not in not_contacted
    assert ContactLog.objects.get().method == "phone"


def test_a_plain_post_redirects_back_with_a_message(paired, client_for):
    response = _post_contact(client_for(paired.member_a), paired.pairings[0], htmx=False)
    assert response.status_code == 302 and response.url == reverse("partywork:mine")


def test_a_bad_date_is_shown_on_the_field_and_nothing_is_recorded(paired, client_for):
    response = _post_contact(
        client_for(paired.member_a),
        paired.pairings[0],
        **{f"c{paired.pairings[0].pk}-contacted_on": "2999-01-01"},
    )
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()
    assert ContactLog.objects.count() == 0


def test_a_member_cannot_record_on_another_members_pairing(paired, client_for):
    assert _post_contact(client_for(paired.member_a), paired.pairing_b).status_code == 404
    assert _post_contact(client_for(paired.member_a2), paired.pairings[0]).status_code == 404
    # the grid chief sees the pairing but only its member records contacts
    assert _post_contact(client_for(paired.grid_chief_a), paired.pairings[0]).status_code == 403


def test_member_page_is_404_for_the_sibling_grid_chief_and_403_for_a_department_handler(paired, client_for):
    url = reverse("partywork:member_detail", args=[paired.member_a.pk])
    assert client_for(paired.grid_chief_b).get(url).status_code == 404
    assert client_for(paired.handler).get(url).status_code == 403
    assert client_for(paired.grid_chief_a).get(url).status_code == 200


def test_coverage_of_the_sibling_grid_is_404_and_a_member_without_staff_role_gets_403(paired, client_for):
    url = reverse("partywork:coverage")
    assert client_for(paired.grid_chief_a).get(url, {"place": paired.grid_b.pk}).status_code == 404
    assert client_for(paired.member_a).get(url).status_code == 403
    assert client_for(paired.outsider).get(reverse("partywork:mine")).status_code == 403


def test_grid_chief_pairs_several_unpaired_households_from_the_members_page(paired, client_for):
    client = client_for(paired.grid_chief_a)
    page = client.get(reverse("partywork:member_detail", args=[paired.member_a2.pk])).content.decode()
    assert (
        paired.households["a3"].number in page
        and paired.households["a"].number not in page.split('id="pair"')[1]
    )
    response = client.post(
        reverse("partywork:member_pair", args=[paired.member_a2.pk]),
        {"households": [paired.households["a3"].pk, paired.households["a4"].pk]},
    )
    assert response.status_code == 302
    assert ContactPairing.objects.filter(member=paired.member_a2, until__isnull=True).count() == 2


def test_picking_nothing_says_so_on_the_field(paired, client_for):
    response = client_for(paired.grid_chief_a).post(
        reverse("partywork:member_pair", args=[paired.member_a2.pk]), {}
    )
    assert response.status_code == 400
    assert "至少" in response.content.decode() or "at least" in response.content.decode()


def test_a_grid_worker_sees_the_member_but_cannot_pair(paired, client_for):
    client = client_for(paired.grid_worker_a)
    assert (
        'id="pair"'
        not in client.get(reverse("partywork:member_detail", args=[paired.member_a2.pk])).content.decode()
    )
    url = reverse("partywork:member_pair", args=[paired.member_a2.pk])
    assert client.post(url, {"households": [paired.households["a3"].pk]}).status_code == 403


def test_hand_over_from_the_members_page(paired, client_for):
    response = client_for(paired.grid_chief_a).post(
        reverse("partywork:member_hand_over", args=[paired.member_a.pk]), {"to_member": paired.member_a2.pk}
    )
    assert response.status_code == 302
    assert set(
        ContactPairing.objects.filter(
            until__isnull=True, household__in=[p.household for p in paired.pairings]
        ).values_list("member_id", flat=True)
    ) == {paired.member_a2.pk}


def test_ending_a_pairing_from_the_members_page(paired, client_for):
    response = client_for(paired.grid_chief_a).post(
        reverse("partywork:pairing_end", args=[paired.pairings[0].pk])
    )
    assert response.status_code == 302
    assert ContactPairing.objects.get(pk=paired.pairings[0].pk).until is not None
    assert (
        client_for(paired.grid_chief_b)
        .post(reverse("partywork:pairing_end", args=[paired.pairings[1].pk]))
        .status_code
        == 404
    )


def _grow(world, member, n):
    households = [make_household(actor=world.secretary, unit=world.unit_a1, members=1) for _ in range(n)]
    services.contact_pairing_create(actor=world.grid_chief_a, member=member, households=households)


def _count(client, url, params=None) -> int:
    client.get(url, params or {})  # the first request of a session also writes the session
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params or {}).status_code == 200
    return len(ctx)


# Other modules' menu badges add their own queries to every page: the tests below compare a page
# with itself at two sizes (it must not grow with the rows) under a cap that leaves room for them.


def test_the_members_list_takes_the_same_queries_for_two_or_twelve_households(
    paired, client_for, django_assert_max_num_queries
):
    client, url = client_for(paired.member_a), reverse("partywork:mine")
    small = _count(client, url)
    _grow(paired, paired.member_a, 10)
    services.contact_log_create(actor=paired.member_a, pairing=paired.pairings[0], method="visit")
    assert _count(client, url) == small
    with django_assert_max_num_queries(25):
        client.get(url)


@pytest.mark.parametrize("page", ["coverage", "member"])
def test_coverage_and_member_pages_do_not_grow_with_the_rows(
    paired, client_for, django_assert_max_num_queries, page
):
    client = client_for(paired.secretary)
    if page == "coverage":
        url, params = reverse("partywork:coverage"), {"place": paired.c1.pk}
    else:
        url, params = reverse("partywork:member_detail", args=[paired.member_a2.pk]), {}
    _grow(paired, paired.member_a2, 1)
    small = _count(client, url, params)
    _grow(paired, paired.member_a2, 12)
    for _ in range(5):
        make_household(actor=paired.secretary, unit=paired.unit_a1, members=1)
    assert _count(client, url, params) == small
    with django_assert_max_num_queries(30):
        client.get(url, params)
