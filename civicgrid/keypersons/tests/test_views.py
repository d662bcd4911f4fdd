"""The key-person pages: the list by colour, overdue first; registering, reviewing, ending; cadences."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from civicgrid.core import clock
from civicgrid.keypersons import services
from civicgrid.keypersons.models import KeyPerson, Status
from civicgrid.keypersons.tests.conftest import category, register, resident_of

pytestmark = pytest.mark.django_db


def _ago(days: int) -> dt.date:
    return clock.today() - dt.timedelta(days=days)


def test_the_list_puts_the_overdue_first_and_counts_each_colour(people, client_for):
    green = register(people, code="petitioner", colour="green")
    overdue = register(people, since=_ago(10))  # red, due 3 days ago
    yellow = register(people, "c", code="community_correction", colour="yellow", until=_ago(-200))
    page = client_for(people.secretary).get(reverse("keypersons:list"))
    html = page.content.decode()
    order = [html.index(f'data-key-person="{kp.pk}"') for kp in (overdue, yellow, green)]
    assert order == sorted(order)
    assert page.context["counts"] == {"red": 1, "yellow": 1, "green": 1, "overdue": 1, "due": 1, "total": 3}
    assert "visit overdue by 3 days" in html or "逾期 3 天" in html


def test_the_colour_tab_narrows_the_list_and_keeps_the_counts(people, client_for):
    red = register(people)
    green = register(people, "c", code="petitioner", colour="green")
    page = client_for(people.secretary).get(reverse("keypersons:list"), {"colour": "green"})
    assert [kp.pk for kp in page.context["page"].rows] == [green.pk]
    assert page.context["counts"]["red"] == 1
    assert red.resident.name not in page.content.decode()


def test_load_more_returns_the_next_rows_only(people, client_for):
    made = [
        register(people, code=c, since=_ago(i)) for i, c in enumerate(["drug_rehabilitation", "petitioner"])
    ]
    client = client_for(people.grid_chief_a)
    first = client.get(reverse("keypersons:list"), {"limit": 1})
    assert first.status_code == 200
    from civicgrid.keypersons import selectors

    page = selectors.keyperson_list_for(people.grid_chief_a, selectors.Filters(), size=1)
    rest = client.get(reverse("keypersons:list"), {"after": page.next_cursor}, HTTP_HX_REQUEST="true")
    assert rest.templates[0].name == "keypersons/_rows.html"
    assert [kp.pk for kp in rest.context["page"].rows] == [made[0].pk]


def _queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def test_the_list_page_costs_the_same_for_many_rows(people, client_for, django_assert_max_num_queries):
    client = client_for(people.secretary)
    url = reverse("keypersons:list")
    register(people)
    register(people, "c")
    client.get(url)  # the first request after logging in also touches the session
    few = _queries(client, url)
    for key in ("a", "b", "c"):
        register(people, key, code="petitioner", colour="yellow")
    register(people, "b")
    many = _queries(client, url)
    assert len(many) == len(few)
    # Our own share: the key persons, their grids, the counts, the categories, the places, one audit row.
    assert len([q for q in many if "keypersons_" in q or "keyperson.read" in q]) <= 4
    with django_assert_max_num_queries(20):  # the rest is the session, grants and other modules' badges
        client.get(url)


def test_the_detail_page_costs_a_few_queries(people, client_for, django_assert_max_num_queries):
    kp = register(people)
    client = client_for(people.grid_chief_a)
    url = reverse("keypersons:detail", args=[kp.pk])
    client.get(url)
    with django_assert_max_num_queries(18):  # 8 of them ours; the rest session, grants, menu badges
        assert client.get(url).status_code == 200


def test_the_detail_page_shows_masked_data_history_and_visits(people, client_for):
    kp = register(people)
    services.keyperson_visit_record(actor=people.grid_worker_a, key_person=kp, visited_on=clock.today())
    html = client_for(people.grid_chief_a).get(reverse("keypersons:detail", args=[kp.pk])).content.decode()
    plain = resident_of(people).id_number.plaintext()
    assert plain not in html
    assert str(resident_of(people).id_number) in html
    assert 'data-action="register"' in html
    assert 'id="visits"' in html


def test_a_grid_chief_finds_a_resident_and_registers_them(people, client_for):
    client = client_for(people.grid_chief_a)
    resident = resident_of(people)
    found = client.get(reverse("keypersons:resident_search"), {"q": resident.name})
    assert f'value="{resident.pk}"' in found.content.decode()
    assert resident.id_number.plaintext() not in found.content.decode()
    response = client.post(
        reverse("keypersons:register"),
        {
            "resident": resident.pk,
            "category": category("drug_rehabilitation").pk,
            "risk_colour": "yellow",
            "reason": "社区康复第二年",
            "since": clock.today().isoformat(),
        },
    )
    kp = KeyPerson.objects.get()
    assert response.status_code == 302 and response.url == reverse("keypersons:detail", args=[kp.pk])
    assert (kp.resident, kp.risk_colour, kp.registered_by) == (resident, "yellow", people.grid_chief_a)


def test_a_residents_search_finds_nobody_in_the_sibling_grid(people, client_for):
    other = resident_of(people, "b")
    found = client_for(people.grid_chief_a).get(reverse("keypersons:resident_search"), {"q": other.name})
    assert f'value="{other.pk}"' not in found.content.decode()
    response = client_for(people.grid_chief_a).post(
        reverse("keypersons:register"),
        {"resident": other.pk, "category": category("petitioner").pk, "risk_colour": "red", "reason": "上访"},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["resident"]
    assert not KeyPerson.objects.exists()


def test_a_bad_registration_keeps_what_was_typed_and_says_what_is_wrong(people, client_for):
    resident = resident_of(people)
    response = client_for(people.grid_chief_a).post(
        reverse("keypersons:register"),
        {
            "resident": resident.pk,
            "category": category("community_correction").pk,
            "risk_colour": "red",
            "reason": "缓刑考验期",
            "q": resident.name,
        },
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert list(form.errors) == ["until"]
    html = response.content.decode()
    assert "缓刑考验期" in html
    assert f'value="{resident.pk}" id="resident-{resident.pk}" checked' in html


def test_reviewing_and_ending_from_the_detail_page(people, client_for):
    kp = register(people)
    client = client_for(people.grid_chief_a)
    bad = client.post(reverse("keypersons:review", args=[kp.pk]), {"review-risk_colour": "green"})
    assert bad.status_code == 400 and bad.context["open_form"] == "review"
    ok = client.post(
        reverse("keypersons:review", args=[kp.pk]), {"review-risk_colour": "green", "review-reason": "稳定"}
    )
    assert ok.status_code == 302
    kp.refresh_from_db()
    assert kp.risk_colour == "green"
    client.post(reverse("keypersons:end", args=[kp.pk]), {"end-reason": "解除社区康复"})
    kp.refresh_from_db()
    assert kp.status == Status.ENDED
    html = client.get(reverse("keypersons:detail", args=[kp.pk])).content.decode()
    assert 'id="action-review"' not in html


def test_a_secretary_sets_the_cadence_of_a_grid(people, client_for):
    kp = register(people, since=clock.today())
    client = client_for(people.secretary)
    page = client.get(reverse("keypersons:cadence"), {"territory": people.grid_a.pk})
    assert page.status_code == 200 and page.context["can_set"]
    response = client.post(
        reverse("keypersons:cadence"), {"territory": people.grid_a.pk, "red_days": "3", "yellow_days": ""}
    )
    assert response.status_code == 302
    kp.refresh_from_db()
    assert kp.next_visit_due == clock.today() + dt.timedelta(days=3)
    bad = client.post(reverse("keypersons:cadence"), {"territory": people.grid_a.pk, "red_days": "0"})
    assert bad.status_code == 400 and "red_days" in bad.context["form"].errors


def test_a_grid_chief_may_not_set_cadences(people, client_for):
    assert client_for(people.grid_chief_a).get(reverse("keypersons:cadence")).status_code == 403


def test_the_today_page_shows_the_section_to_a_grid_chief_and_not_to_a_grid_worker(people, client_for):
    kp = register(people, since=_ago(9))  # red: overdue by 2 days
    url = reverse("today")
    html = client_for(people.grid_chief_a).get(url).content.decode()
    assert 'id="today-keypersons"' in html and f'data-key-person="{kp.pk}"' in html
    assert "keypersons/keypersons.css" in html
    worker = client_for(people.grid_worker_a).get(url).content.decode()
    assert 'id="today-keypersons"' not in worker and kp.resident.name not in worker
