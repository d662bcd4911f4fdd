"""Reference lists kept between requests follow every change to the rows they are built from."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from civicgrid.cases.models import Category
from civicgrid.core import refcache
from civicgrid.orgs import services as orgs_services
from civicgrid.territory import services as territory_services

pytestmark = pytest.mark.django_db


def _register(client) -> str:
    return client.get(reverse("cases:case_list")).text


def test_the_register_picker_follows_a_rename_a_new_place_a_move_and_a_retirement(world, client_for):
    client = client_for(world.town_officer)
    assert world.c1.name in _register(client)
    before = refcache.generation()

    territory_services.territory_update(actor=world.town_officer, node=world.c1, name="改名社区")
    # Other processes learn of it from the shared generation, which moves on commit: once for the
    # whole test's transaction, however many places it saved.
    pending = [f for _sids, f, _robust in connection.run_on_commit if f is refcache._new_generation]
    assert len(pending) == 1 and refcache.generation() == before
    pending[0]()
    assert refcache.generation() != before
    page = _register(client)
    assert "改名社区" in page

    new = territory_services.territory_create(
        actor=world.town_officer, level="community", code="520602001009", name="新建社区", parent=world.town
    )
    assert "新建社区" in _register(client)

    territory_services.territory_move(actor=world.town_officer, node=world.grid_a, new_parent=new)
    page = _register(client)
    # The grid is listed under its new community now (tree order, one level deeper than the town's).
    assert page.index("新建社区") < page.index(world.grid_a.name)

    spare = territory_services.territory_create(
        actor=world.town_officer, level="grid", code=None, name="备用网格", parent=new
    )
    assert f'<option value="{spare.pk}">' in _register(client)
    territory_services.territory_retire(actor=world.town_officer, node=spare)
    assert f'<option value="{spare.pk}">' not in _register(client)


def test_the_category_and_department_filters_follow_the_catalogue_and_the_departments(world, client_for):
    client = client_for(world.town_officer)
    assert "新增类别" not in _register(client)
    Category.objects.create(code="new-kind", name_zh="新增类别", name_en="New kind")
    assert "新增类别" in _register(client)

    orgs_services.organisation_create(
        actor=None, kind="department", name="县城管局", territory=world.county, categories=["sanitation"]
    )
    assert "县城管局" in _register(client)


def test_lists_are_shared_by_users_of_the_same_scope_and_not_across_scopes(world, client_for):
    officer = _register(client_for(world.town_officer))
    chief = _register(client_for(world.grid_chief_a))
    assert f'<option value="{world.c2.pk}">' in officer
    assert f'<option value="{world.c2.pk}">' not in chief  # a grid chief sees only their grid


def test_deadlines_follow_a_holiday_added_after_the_calendar_was_read(django_assert_num_queries):
    import datetime as dt

    from civicgrid.core import calendar
    from civicgrid.core.models import CalendarDay

    friday = dt.datetime(2027, 3, 5, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert calendar.add_working_days(friday, 1).date() == dt.date(2027, 3, 8)  # Monday
    with django_assert_num_queries(0):
        calendar.add_working_days(friday, 1)  # kept
    CalendarDay.objects.create(date=dt.date(2027, 3, 8), kind="holiday", name="测试假日")
    assert calendar.add_working_days(friday, 1).date() == dt.date(2027, 3, 9)
    CalendarDay.objects.filter(date=dt.date(2027, 3, 8)).delete()  # a queryset delete sends the signal too
    assert calendar.add_working_days(friday, 1).date() == dt.date(2027, 3, 8)


def test_the_levels_above_a_place_follow_a_move(world, django_assert_num_queries):
    from civicgrid.territory.selectors import levels_along

    levels = levels_along(world.grid_a.path)
    assert levels[world.c1.path] == "community" and levels[world.grid_a.path] == "grid"
    with django_assert_num_queries(0):
        levels_along(world.grid_a.path)
    new = territory_services.territory_create(
        actor=world.town_officer, level="community", code="520602001009", name="新建社区", parent=world.town
    )
    territory_services.territory_move(actor=world.town_officer, node=world.grid_a, new_parent=new)
    world.grid_a.refresh_from_db()
    levels = levels_along(world.grid_a.path)
    assert levels[new.path] == "community" and world.c1.path not in levels


def test_a_category_looked_up_by_code_follows_the_catalogue_and_is_never_shared(world):
    from civicgrid.cases.selectors import category_by_code

    first, second = category_by_code("sanitation"), category_by_code(" sanitation ")
    assert first.pk == second.pk and first is not second  # a caller may change its own copy
    first.name_zh = "改过"
    assert category_by_code("sanitation").name_zh != "改过"
    Category.objects.filter(code="sanitation").update(active=False)  # no signal: a bulk update
    Category.objects.get(code="sanitation").save()  # an admin's save is what moves the generation
    assert category_by_code("sanitation") is None
    assert category_by_code("no-such-code") is None


def test_a_page_reads_the_shared_generation_once_and_sees_a_change_made_elsewhere_next_time(
    world, client_for, monkeypatch
):
    reads = []
    real_get = refcache.cache.get
    monkeypatch.setattr(
        refcache.cache, "get", lambda key, *a, **k: reads.append(key) or real_get(key, *a, **k)
    )
    client = client_for(world.town_officer)
    assert world.c1.name in _register(client)  # the register asks for several kept lists
    assert reads.count(refcache.GENERATION_KEY) == 1
    # Another process renames the place and commits: its new generation reaches this one's next page.
    type(world.c1).objects.filter(pk=world.c1.pk).update(name="别处改名")  # no signal here
    refcache._new_generation()
    assert "别处改名" in _register(client)
    assert reads.count(refcache.GENERATION_KEY) == 2
