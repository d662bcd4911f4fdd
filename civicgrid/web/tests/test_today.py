"""The today page: each module's section for the permissions the user holds, nothing for the rest."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext_lazy as _

from civicgrid.core.registry import Manifest, TodaySection, register
from civicgrid.testing import submit_case

pytestmark = pytest.mark.django_db

register(
    Manifest(
        name="today_tests",
        label="tests",
        today=[
            TodaySection(_("Hidden"), "cases/_today.html", "cases.handle", lambda user: None, order=1),
        ],
    )
)


def _case(world):
    return submit_case(world, title="楼道垃圾", description="三单元楼道垃圾堆放")


def test_the_grid_chief_sees_the_case_due_in_the_grid(world, client_for):
    case = _case(world)
    page = client_for(world.grid_chief_a).get("/today/")
    assert page.status_code == 200
    assert 'id="today-cases"' in page.text and case.title in page.text


def test_the_sibling_grid_chief_does_not_see_it(world, client_for):
    case = _case(world)
    page = client_for(world.grid_chief_b).get("/today/")
    assert 'id="today-cases"' in page.text and case.title not in page.text


def test_a_user_without_the_permission_gets_no_section(world, client_for):
    _case(world)
    page = client_for(world.outsider).get("/today/")
    assert page.status_code == 200 and 'id="today-cases"' not in page.text


def test_a_section_whose_context_is_none_is_hidden(world, client_for):
    page = client_for(world.grid_chief_a).get("/today/")
    assert page.text.count('id="today-cases"') == 1  # the test section reusing the template stayed out


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/today/").status_code == 302


def test_the_page_costs_a_bounded_number_of_queries(world, client_for, django_assert_max_num_queries):
    client = client_for(world.grid_chief_a)
    for _n in range(5):
        _case(world)
    with django_assert_max_num_queries(40):
        client.get("/today/")
