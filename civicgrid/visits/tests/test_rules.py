"""Who is due when: rules inherited down the tree, the sweep, visits meeting rows, return visits."""

from __future__ import annotations

import datetime as dt

import pytest

from civicgrid.cases import catalogue
from civicgrid.cases import services as case_services
from civicgrid.cases.models import Category
from civicgrid.core import clock
from civicgrid.core.errors import ApplicationError
from civicgrid.registry import services as registry_services
from civicgrid.registry.models import Tag
from civicgrid.visits import dues, services
from civicgrid.visits.models import RuleTarget, VisitDue, VisitKind
from civicgrid.visits.tests.helpers import NOW, START, visit

pytestmark = pytest.mark.django_db


def open_rows(household, kind=None):
    qs = VisitDue.objects.filter(VisitDue.OPEN, household=household)
    return list(qs.filter(kind=kind) if kind else qs)


def test_never_visited_households_are_due_when_the_first_round_ends(world, rules):
    dues.sweep()
    (row,) = open_rows(world.households["a"], VisitKind.COMPREHENSIVE)
    assert row.due_on == START
    assert row.rule == rules["round"]
    assert row.territory_path == world.households["a"].territory_path


def test_a_household_visited_before_is_due_the_interval_after_its_last_visit(world, rules):
    household = world.households["b"]
    visit(world.grid_chief_b, household, visited_on=dt.date(2026, 2, 10))
    dues.sweep()
    (row,) = open_rows(household, VisitKind.COMPREHENSIVE)
    assert row.due_on == dt.date(2027, 2, 10)


def test_sweeping_twice_changes_nothing(world, rules):
    first = dues.sweep()
    before = sorted(VisitDue.objects.values_list("household_id", "rule_id", "due_on"))
    second = dues.sweep()
    assert first["opened"] == 4  # the four households of the world, each once
    assert second.get("opened", 0) == 0 and second.get("cancelled", 0) == 0
    assert sorted(VisitDue.objects.values_list("household_id", "rule_id", "due_on")) == before


def test_a_visit_meets_its_due_row_and_opens_the_next_at_visit_date_plus_interval(world, rules):
    household = world.households["a"]
    dues.sweep()
    (row,) = open_rows(household, VisitKind.COMPREHENSIVE)
    logged = visit(world.grid_worker_a, household, visited_on=dt.date(2026, 2, 27))
    row.refresh_from_db()
    assert row.met_by == logged and row.met_at == clock.now()
    (following,) = open_rows(household, VisitKind.COMPREHENSIVE)
    assert following.due_on == dt.date(2027, 2, 27)


def test_a_dynamic_visit_does_not_meet_the_comprehensive_round(world, rules):
    household = world.households["a"]
    dues.sweep()
    visit(world.grid_worker_a, household, kind=VisitKind.DYNAMIC)
    (row,) = open_rows(household, VisitKind.COMPREHENSIVE)
    assert row.due_on == START


def test_a_lower_rule_overrides_the_same_target_higher_up(world, rules):
    grid_rule = services.rule_create(
        actor=world.secretary,
        territory=world.grid_a,
        target=RuleTarget.ALL_HOUSEHOLDS,
        interval_days=180,
        starts_on=dt.date(2026, 2, 1),
    )
    dues.sweep()
    (row_a,) = open_rows(world.households["a"], VisitKind.COMPREHENSIVE)
    (row_b,) = open_rows(world.households["b"], VisitKind.COMPREHENSIVE)
    assert (row_a.rule, row_a.due_on) == (grid_rule, dt.date(2026, 2, 1) + dt.timedelta(days=180))
    assert (row_b.rule, row_b.due_on) == (rules["round"], START)


def test_a_rule_added_below_later_replaces_the_open_rows_of_the_rule_above(world, rules):
    dues.sweep()
    services.rule_create(
        actor=world.secretary, territory=world.grid_a, target=RuleTarget.ALL_HOUSEHOLDS, interval_days=90
    )
    counts = dues.sweep()
    assert counts["cancelled"] == 1
    (row,) = open_rows(world.households["a"], VisitKind.COMPREHENSIVE)
    assert row.rule.territory == world.grid_a


def test_an_inactive_lower_rule_switches_the_target_off_below_it(world, rules):
    dues.sweep()
    services.rule_create(
        actor=world.secretary,
        territory=world.grid_a,
        target=RuleTarget.ALL_HOUSEHOLDS,
        interval_days=365,
        active=False,
    )
    dues.sweep()
    assert open_rows(world.households["a"], VisitKind.COMPREHENSIVE) == []
    assert len(open_rows(world.households["b"], VisitKind.COMPREHENSIVE)) == 1


def test_switching_a_rule_off_closes_its_open_rows_at_the_next_sweep(world, rules):
    dues.sweep()
    services.rule_update(actor=world.town_officer, rule=rules["round"], interval_days=365, active=False)
    dues.sweep()
    assert not VisitDue.objects.filter(VisitDue.OPEN, kind=VisitKind.COMPREHENSIVE).exists()


def test_a_tag_rule_reaches_only_households_with_a_tagged_member_and_lets_go_when_the_tag_ends(world, rules):
    household = world.households["a"]
    member = household.members.order_by("pk").first()
    tagging = registry_services.tag_apply(
        actor=world.secretary, tag=Tag.objects.get(code="lonely_elderly"), resident=member
    )
    dues.sweep()
    (row,) = open_rows(household, VisitKind.DYNAMIC)
    assert row.rule == rules["lonely"]
    assert open_rows(world.households["b"], VisitKind.DYNAMIC) == []
    registry_services.tag_remove(actor=world.secretary, tagging=tagging)
    dues.sweep()
    assert open_rows(household, VisitKind.DYNAMIC) == []


def test_a_comprehensive_visit_also_meets_a_dynamic_due(world, rules):
    household = world.households["a"]
    registry_services.tag_apply(
        actor=world.secretary,
        tag=Tag.objects.get(code="lonely_elderly"),
        resident=household.members.order_by("pk").first(),
    )
    dues.sweep()
    visit(world.grid_worker_a, household)
    (dynamic,) = open_rows(household, VisitKind.DYNAMIC)
    assert dynamic.due_on == clock.today() + dt.timedelta(days=30)


def test_a_household_that_moved_out_is_no_longer_due(world, rules):
    household = world.households["c"]
    dues.sweep()
    registry_services.household_update(
        actor=world.secretary, household=household, notes="", head=household.head, status="moved_out"
    )
    dues.sweep()
    assert open_rows(household) == []


def test_rows_become_overdue_as_the_clock_moves_and_are_noted_exactly_once(world, rules):
    services.rule_update(
        actor=world.town_officer,
        rule=rules["round"],
        interval_days=365,
        active=True,
        starts_on=clock.today() - dt.timedelta(days=365),
    )
    dues.sweep()
    assert dues.sweep().get("overdue", 0) == 0
    with clock.frozen(NOW + dt.timedelta(days=1)):
        assert dues.sweep()["overdue"] == 4
        assert dues.sweep().get("overdue", 0) == 0
        assert dues.note_overdue() == []


def _closed_case(world, house, rating="satisfied"):
    catalogue.install(Category)
    case = case_services.case_submit(
        actor=world.grid_worker_a,
        channel="visit",
        category=Category.objects.get(code="sanitation"),
        title="",
        description="楼道垃圾无人清运",
        house=house,
    )
    case = case_services.case_resolve(actor=world.grid_chief_a, case=case, note="已清运", on_the_spot=True)
    return case_services.case_rate(actor=world.grid_chief_a, case=case, rating=rating)


def test_a_closed_case_about_a_house_makes_its_household_due_a_return_visit(world, rules):
    household = world.households["a"]
    case = _closed_case(world, household.house)
    (row,) = open_rows(household, VisitKind.RETURN)
    assert (row.case, row.rule, row.due_on) == (case, rules["return"], clock.today() + dt.timedelta(days=7))
    visit(world.grid_worker_a, household, kind=VisitKind.RETURN)
    assert open_rows(household, VisitKind.RETURN) == []


def test_an_unsatisfied_rating_reopens_the_case_and_asks_for_no_return_visit(world, rules):
    household = world.households["a"]
    _closed_case(world, household.house, rating="unsatisfied")
    assert open_rows(household, VisitKind.RETURN) == []


def test_no_return_visit_where_no_rule_asks_for_one(world):
    household = world.households["a"]
    _closed_case(world, household.house)
    assert open_rows(household) == []


def test_a_second_rule_for_the_same_target_on_one_place_is_refused(world, rules):
    with pytest.raises(ApplicationError) as refused:
        services.rule_create(
            actor=world.town_officer,
            territory=world.town,
            target=RuleTarget.ALL_HOUSEHOLDS,
            interval_days=200,
        )
    assert refused.value.code == "duplicate"


def test_a_tag_rule_needs_a_tag_and_a_sensible_interval(world):
    with pytest.raises(ApplicationError) as no_tag:
        services.rule_create(
            actor=world.secretary, territory=world.c1, target=RuleTarget.TAG, interval_days=30
        )
    assert no_tag.value.field == "tag"
    with pytest.raises(ApplicationError) as bad_interval:
        services.rule_create(
            actor=world.secretary, territory=world.c1, target=RuleTarget.ALL_HOUSEHOLDS, interval_days=0
        )
    assert bad_interval.value.field == "interval_days"
