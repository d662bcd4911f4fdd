"""The party-work sections of the today page and the menu badge."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string

from civicgrid.partywork import services, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def paired(party):
    party.pairings = services.contact_pairing_create(
        actor=party.grid_chief_a, member=party.member_a, households=[party.households[k] for k in ("a", "a2")]
    ).pairings
    return party


def test_a_member_sees_their_households_not_contacted_this_week(paired, django_assert_max_num_queries):
    services.contact_log_create(actor=paired.member_a, pairing=paired.pairings[0], method="visit")
    with django_assert_max_num_queries(3):
        context = today.member_context(paired.member_a)
    assert [p.household_id for p in context["rows"]] == [paired.households["a2"].pk]
    html = render_to_string("partywork/_today_member.html", context)
    assert paired.households["a2"].number in html and paired.households["a"].number not in html
    assert '<h2><a href="/partywork/">' in html  # each today section's heading opens its page
    assert today.not_contacted_badge(paired.member_a, upto=100) == 1
    assert today.not_contacted_badge(paired.member_a2, upto=100) == 0


def test_a_member_without_pairings_and_staff_see_no_member_section(paired):
    assert today.member_context(paired.member_a2) is None
    assert today.member_context(paired.grid_chief_a) is None


def test_a_grid_chief_sees_members_with_uncontacted_households(paired, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        context = today.chief_context(paired.grid_chief_a)
    assert [(r["member"], r["count"]) for r in context["members"]] == [(paired.member_a, 2)]
    html = render_to_string("partywork/_today_chief.html", context)
    assert "党员甲" in html and '<h2><a href="/partywork/coverage/">' in html
    assert today.chief_context(paired.grid_chief_b) is None
    assert today.chief_context(paired.member_a) is None
