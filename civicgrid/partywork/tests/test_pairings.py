"""Pairing members with contact households: the grid rule, one member per household, the warning
above fifteen, ending, and handing over when a member moves away."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from civicgrid.accounts.services import role_revoke
from civicgrid.audit.models import AuditEvent
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.partywork import selectors, services
from civicgrid.partywork.models import ContactPairing, EndReason
from civicgrid.testing import make_household

pytestmark = pytest.mark.django_db


def _pair(world, member_key="member_a", keys=("a", "a2")):
    return services.contact_pairing_create(
        actor=world.grid_chief_a,
        member=world.users[member_key],
        households=[world.households[k] for k in keys],
    )


def test_grid_chief_pairs_a_member_with_several_households_at_once(party):
    result = _pair(party)
    assert [p.household for p in result.pairings] == [party.households["a"], party.households["a2"]]
    assert result.warnings == []
    assert all(p.territory_path == p.household.territory_path for p in result.pairings)
    assert AuditEvent.objects.filter(action="contact_pairing.create").count() == 2


def test_a_household_outside_the_members_grid_is_refused_and_nothing_is_paired(party):
    with pytest.raises(ApplicationError) as exc:
        services.contact_pairing_create(
            actor=party.secretary,
            member=party.member_a,
            households=[party.households["a"], party.households["b"]],
        )
    assert exc.value.code == "outside_grid"
    assert ContactPairing.objects.count() == 0


def test_a_grid_chief_cannot_pair_households_of_the_sibling_grid(party):
    with pytest.raises(Http404):
        services.contact_pairing_create(
            actor=party.grid_chief_a, member=party.member_b, households=[party.households["b"]]
        )


def test_a_grid_worker_may_see_but_not_pair(party):
    with pytest.raises(PermissionDenied):
        services.contact_pairing_create(
            actor=party.grid_worker_a, member=party.member_a, households=[party.households["a"]]
        )


def test_a_household_already_paired_cannot_be_paired_again(party):
    _pair(party)
    with pytest.raises(ApplicationError) as exc:
        _pair(party, "member_a2", ("a2",))
    assert exc.value.code == "already_paired"
    assert "党员甲" in exc.value.message


def test_more_than_fifteen_households_is_allowed_with_a_warning(party):
    extra = [make_household(actor=party.secretary, unit=party.unit_a1, members=1) for _ in range(16)]
    result = services.contact_pairing_create(
        actor=party.grid_chief_a, member=party.member_a, households=extra
    )
    assert len(result.pairings) == 16
    assert result.warnings and "16" in result.warnings[0]


def test_ending_a_pairing_keeps_it_in_the_history_and_frees_the_household(party):
    pairing = _pair(party).pairings[0]
    services.contact_pairing_end(actor=party.grid_chief_a, pairing=pairing)
    pairing.refresh_from_db()
    assert pairing.until == clock.today() and pairing.end_reason == EndReason.ENDED
    assert _pair(party, "member_a2", ("a",)).pairings[0].household == party.households["a"]
    with pytest.raises(ApplicationError):
        services.contact_pairing_end(actor=party.grid_chief_a, pairing=pairing)


def test_hand_over_moves_every_household_to_another_member_of_the_grid_in_one_go(party):
    old = _pair(party, keys=("a", "a2", "a3")).pairings
    result = services.contact_pairing_hand_over(
        actor=party.grid_chief_a, member=party.member_a, to_member=party.member_a2
    )
    assert len(result.ended) == 3 and len(result.made) == 3
    for pairing in old:
        pairing.refresh_from_db()
        assert pairing.end_reason == EndReason.HANDED_OVER
        assert pairing.next.member == party.member_a2
    assert set(
        ContactPairing.objects.filter(until__isnull=True).values_list("member__username", flat=True)
    ) == {"member_a2"}
    assert AuditEvent.objects.filter(action="contact_pairing.hand_over").count() == 1


def test_hand_over_to_a_member_of_another_grid_is_refused_and_changes_nothing(party):
    _pair(party)
    with pytest.raises(ApplicationError) as exc:
        services.contact_pairing_hand_over(
            actor=party.secretary, member=party.member_a, to_member=party.member_b
        )
    assert exc.value.field == "to_member"
    assert ContactPairing.objects.filter(member=party.member_a, until__isnull=True).count() == 2


def test_hand_over_to_nobody_leaves_the_households_unpaired_and_listed(party):
    _pair(party)
    services.contact_pairing_hand_over(actor=party.grid_chief_a, member=party.member_a)
    assert ContactPairing.objects.filter(until__isnull=True).count() == 0
    suggested = selectors.unpaired_households_for(
        party.grid_chief_a, selectors.member_get_for(party.grid_chief_a, party.member_a2.pk)
    )
    assert {party.households["a"], party.households["a2"]} <= set(suggested)
    assert party.households["b"] not in suggested


def test_a_member_whose_role_ended_can_still_be_handed_over(party):
    _pair(party)
    assignment = party.member_a.assignments.get()
    role_revoke(actor=None, assignment=assignment)
    member = selectors.member_get_for(party.grid_chief_a, party.member_a.pk, "partywork.pair")
    assert member.grids == [party.grid_a]
    result = services.contact_pairing_hand_over(
        actor=party.grid_chief_a, member=member.user, to_member=party.member_a2
    )
    assert len(result.made) == 2


def test_pairings_in_force_on_a_day_exclude_those_ended_that_day(party, at_wednesday):
    pairing = _pair(party).pairings[0]
    with clock.frozen(at_wednesday + dt.timedelta(days=3)):
        services.contact_pairing_end(actor=party.grid_chief_a, pairing=pairing)
        assert not services.in_force(ContactPairing.objects.filter(pk=pairing.pk)).exists()
        assert services.in_force(
            ContactPairing.objects.filter(pk=pairing.pk), clock.today() - dt.timedelta(days=1)
        ).exists()
