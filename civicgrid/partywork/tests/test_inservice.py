"""In-service party members: reporting to the community (oneself or entered by the community),
pledges, services confirmed by the community, the year's hours per member; access by community."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse

from civicgrid.accounts.roles import Role
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.partywork import selectors_inservice as sel
from civicgrid.partywork import services_inservice as svc
from civicgrid.partywork.models import ServiceStatus
from civicgrid.partywork.periods import year_of
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(party):
    party.me = svc.inservice_party_member_register(
        actor=party.inservice,
        community=party.c1,
        workplace="县人民医院",
        user=party.inservice,
        reported_on=clock.today() - dt.timedelta(days=200),
    )
    party.entered = svc.inservice_party_member_register(
        actor=party.secretary,
        community=party.c1,
        name="周老师",
        workplace="县第一中学",
        reported_on=clock.today() - dt.timedelta(days=10),
    )
    return party


def test_an_in_service_member_reports_to_their_community_once(reported):
    assert reported.me.name == "inservice" and reported.me.territory_path == reported.c1.path
    with pytest.raises(ApplicationError) as exc:
        svc.inservice_party_member_register(
            actor=reported.inservice, community=reported.c1, workplace="x", user=reported.inservice
        )
    assert exc.value.code == "already_reported"


def test_reporting_needs_a_community_and_a_workplace(party):
    with pytest.raises(ApplicationError) as exc:
        svc.inservice_party_member_register(
            actor=party.secretary, community=party.grid_a, workplace="x", name="y"
        )
    assert exc.value.field == "community"
    with pytest.raises(ApplicationError) as exc:
        svc.inservice_party_member_register(
            actor=party.secretary, community=party.c1, workplace=" ", name="y"
        )
    assert exc.value.field == "workplace"


def test_an_in_service_member_cannot_report_to_a_community_where_they_have_no_role(party):
    with pytest.raises(Http404):
        svc.inservice_party_member_register(
            actor=party.inservice, community=party.c2, workplace="x", user=party.inservice
        )


def test_a_service_the_member_records_waits_and_counts_once_confirmed(reported):
    pledge = svc.pledge_create(actor=reported.inservice, member=reported.me, category="health", what="义诊")
    record = svc.service_record_create(
        actor=reported.inservice,
        member=reported.me,
        done_on=clock.today(),
        hours="2.5",
        what="义诊半天",
        pledge=pledge,
    )
    assert record.status == ServiceStatus.PENDING
    year = year_of()
    row = next(
        m for m in sel.inservice_list_for(reported.secretary, year=year).rows if m.pk == reported.me.pk
    )
    assert (row.year_hours, row.year_pending) == (Decimal(0), 1)
    with pytest.raises(PermissionDenied):
        svc.service_record_decide(actor=reported.inservice, record=record, confirm=True)
    svc.service_record_decide(actor=reported.secretary, record=record, confirm=True)
    row = next(
        m for m in sel.inservice_list_for(reported.secretary, year=year).rows if m.pk == reported.me.pk
    )
    assert (row.year_hours, row.year_services, row.year_pending, row.pledge_count) == (
        Decimal("2.5"),
        1,
        0,
        1,
    )
    with pytest.raises(ApplicationError):
        svc.service_record_decide(actor=reported.secretary, record=record, confirm=False, note="重复")


def test_not_confirming_needs_a_reason(reported):
    record = svc.service_record_create(
        actor=reported.inservice, member=reported.me, done_on=clock.today(), hours=1, what="打扫楼道"
    )
    with pytest.raises(ApplicationError) as exc:
        svc.service_record_decide(actor=reported.secretary, record=record, confirm=False)
    assert exc.value.field == "note"


def test_the_community_records_a_service_confirmed_at_once(reported):
    record = svc.service_record_create(
        actor=reported.secretary, member=reported.entered, done_on=clock.today(), hours="3", what="辅导作业"
    )
    assert record.status == ServiceStatus.CONFIRMED and record.decided_by == reported.secretary


@pytest.mark.parametrize(
    ("hours", "done_on_days", "field"),
    [("0", 0, "hours"), ("25", 0, "hours"), ("1", -1, "done_on"), ("1", 30, "done_on")],
)
def test_bad_hours_or_dates_are_refused_on_their_field(reported, hours, done_on_days, field):
    with pytest.raises(ApplicationError) as exc:
        svc.service_record_create(
            actor=reported.secretary,
            member=reported.entered,
            hours=hours,
            what="x",
            done_on=clock.today() - dt.timedelta(days=done_on_days),
        )
    assert exc.value.field == field


def test_the_year_shows_who_reported_and_last_years_hours_do_not_count(reported, at_wednesday):
    last_year = clock.today().replace(year=clock.today().year - 1)
    old = svc.inservice_party_member_register(
        actor=reported.secretary,
        community=reported.c1,
        name="钱律师",
        workplace="律所",
        reported_on=last_year,
    )
    with clock.frozen(at_wednesday.replace(year=at_wednesday.year - 1)):
        svc.service_record_create(
            actor=reported.secretary, member=old, done_on=last_year, hours=4, what="法律咨询"
        )
    this_year = sel.inservice_year_totals(reported.secretary, year=year_of())
    assert this_year["members"] == 3 and this_year["hours"] == 0
    before = sel.inservice_year_totals(reported.secretary, year=year_of(last_year))
    assert before["members"] == 1 and before["hours"] == Decimal(4)


def test_another_community_does_not_see_the_record_and_another_member_neither(reported, client_for):
    secretary_c2 = make_user("secretary_c2", Role.COMMUNITY_SECRETARY, reported.c2)
    other = make_user("inservice_2", Role.INSERVICE_PARTY_MEMBER, reported.c1)
    url = reverse("partywork:inservice_detail", args=[reported.me.pk])
    assert client_for(secretary_c2).get(url).status_code == 404
    assert client_for(other).get(url).status_code == 403
    assert client_for(reported.inservice).get(url).status_code == 200
    assert client_for(reported.grid_chief_a).get(reverse("partywork:inservice_list")).status_code == 403
    page = client_for(reported.secretary).get(reverse("partywork:inservice_list")).content.decode()
    assert "周老师" in page and "县人民医院" in page


def test_the_member_reports_pledges_and_records_from_their_page(party, client_for):
    client = client_for(party.inservice)
    assert 'id="register"' in client.get(reverse("partywork:inservice_mine")).content.decode()
    bad = client.post(reverse("partywork:inservice_register"), {"community": party.c1.pk, "workplace": ""})
    assert bad.status_code == 400
    assert (
        client.post(
            reverse("partywork:inservice_register"), {"community": party.c1.pk, "workplace": "县税务局"}
        ).status_code
        == 302
    )
    member = sel.my_inservice(party.inservice)[0]
    assert (
        client.post(
            reverse("partywork:pledge_add", args=[member.pk]),
            {"category": "legal_advice", "what": "每月一次法律咨询"},
        ).status_code
        == 302
    )
    response = client.post(
        reverse("partywork:service_add", args=[member.pk]),
        {"done_on": clock.today().isoformat(), "hours": "2", "what": "税务咨询"},
    )
    assert response.status_code == 302 and response.url == reverse("partywork:inservice_mine")
    page = client.get(reverse("partywork:inservice_mine")).content.decode()
    assert "税务咨询" in page and 'data-status="pending"' in page


def test_the_community_confirms_from_its_page_and_the_list_has_flat_queries(
    reported, client_for, django_assert_max_num_queries
):
    record = svc.service_record_create(
        actor=reported.inservice, member=reported.me, done_on=clock.today(), hours=1, what="清扫"
    )
    client = client_for(reported.secretary)
    response = client.post(reverse("partywork:service_decide", args=[record.pk]), {"confirm": "1"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == ServiceStatus.CONFIRMED
    for i in range(6):
        svc.inservice_party_member_register(
            actor=reported.secretary, community=reported.c1, name=f"成员{i}", workplace="单位"
        )
    with django_assert_max_num_queries(30):
        assert client.get(reverse("partywork:inservice_list")).status_code == 200
