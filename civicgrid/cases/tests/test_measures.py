"""The measures' roll-up stays exact through any sequence of transitions, and reads the right rows.

The random walk drives many cases through every transition (with the clock moving, so some limits
are missed and the sweep escalates), then checks that the incrementally kept roll-up equals (a) the
one the rebuild command computes and (b) a plain SQL aggregate over the raw case rows, written here
from docs/measures.md independently of the product code.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from civicgrid.cases import deadlines, measures, services
from civicgrid.cases.measures import Period, period_of, period_parts
from civicgrid.cases.models import (
    COUNTERS,
    Case,
    CaseEvent,
    CaseStat,
    CaseStatArea,
    CaseTally,
    Category,
    State,
    StatGrain,
)
from civicgrid.core import clock, paths
from civicgrid.core.errors import ApplicationError
from civicgrid.orgs import services as orgs_services
from civicgrid.territory import services as territory_services
from civicgrid.territory.models import Territory
from civicgrid.testing import make_user

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def month_ahead(n: int) -> dt.date:
    """The first day of the month `n` months after this one: after the personas' roles began."""
    first = dt.date.today().replace(day=1)
    months = first.year * 12 + first.month - 1 + n
    return dt.date(months // 12, months % 12 + 1, 1)


SOME_MONTH = month_ahead(2)  # a month in which the single-scenario tests run
FIRST_MONTH, NEXT_MONTH = month_ahead(3), month_ahead(4)  # a month boundary


def at(day: dt.date, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), SHANGHAI)


def submit(world, household="a", category="sanitation", **kw) -> Case:
    defaults = {
        "actor": world.town_officer,
        "channel": "walk_in",
        "category": Category.objects.get(code=category),
        "title": "问题",
        "description": "需要处理的问题",
        "house": world.households[household].house,
        "reporter_name": "王五",
        "reporter_phone": "13912345678",
    }
    return services.case_submit(**{**defaults, **kw})


def superuser():
    user = make_user("auditor")
    user.is_superuser = True
    user.save()
    return user


def stat_table() -> dict:
    """Both roll-ups as {row key: counters}, leaving out rows that count nothing."""
    result = {}
    for obj in CaseStat.objects.all():
        counts = tuple(getattr(obj, n) for n in COUNTERS)
        if any(counts):
            key = (obj.grain, obj.period, obj.territory_path, obj.category_id, obj.department, obj.handler)
            result[key] = counts
    for obj in CaseStatArea.objects.all():
        counts = tuple(getattr(obj, n) for n in COUNTERS)
        if any(counts):
            result[("area", obj.dim, obj.depth, obj.territory_path, obj.grain, obj.period, obj.value)] = (
                counts
            )
    return result


# --- The plain aggregate over raw rows, written from the definitions in docs/measures.md ------------

RAW_FLAGS = """
SELECT c.territory_path AS path, c.category_id AS category,
  CASE WHEN c.state <> 'merged' THEN 1 ELSE 0 END AS received,
  CASE WHEN c.state = 'merged' THEN 1 ELSE 0 END AS merged,
  CASE WHEN c.state <> 'merged' AND c.responded_at IS NOT NULL THEN 1 ELSE 0 END AS responded,
  CASE WHEN c.state <> 'merged' AND c.responded_at <= (
      SELECT d.due_at FROM cases_deadline d WHERE d.case_id = c.id AND d.kind = 'respond'
      ORDER BY d.round LIMIT 1) THEN 1 ELSE 0 END AS responded_in_time,
  CASE WHEN c.state IN ('resolved', 'closed') THEN 1 ELSE 0 END AS resolved,
  CASE WHEN c.state IN ('resolved', 'closed') AND EXISTS (
      SELECT 1 FROM cases_deadline d WHERE d.case_id = c.id AND d.kind = 'resolve'
      AND d.met_at IS NOT NULL AND d.met_at <= d.due_at
      AND d.round = (SELECT MAX(d2.round) FROM cases_deadline d2
                     WHERE d2.case_id = c.id AND d2.kind = 'resolve')) THEN 1 ELSE 0 END AS resolved_in_time,
  CASE WHEN c.state <> 'merged' AND c.rating <> '' THEN 1 ELSE 0 END AS rated,
  CASE WHEN c.state <> 'merged' AND c.rating = 'satisfied' THEN 1 ELSE 0 END AS satisfied,
  CASE WHEN c.state <> 'merged' AND c.rating = 'basically' THEN 1 ELSE 0 END AS basically,
  CASE WHEN c.state IN ('resolved', 'closed') AND c.settled_tier IN ('unit', 'grid')
      THEN 1 ELSE 0 END AS settled_grid,
  CASE WHEN c.state IN ('resolved', 'closed') AND c.settled_tier = 'community'
      THEN 1 ELSE 0 END AS settled_community,
  CASE WHEN c.state IN ('resolved', 'closed') AND c.on_the_spot = %s THEN 1 ELSE 0 END AS on_the_spot,
  CASE WHEN c.state <> 'merged' AND c.dispatched = %s THEN 1 ELSE 0 END AS dispatched,
  CASE WHEN c.state IN ('resolved', 'closed') AND c.dispatched = %s
      THEN 1 ELSE 0 END AS dispatched_resolved,
  CASE WHEN c.state IN ('resolved', 'closed') AND c.dispatched = %s AND EXISTS (
      SELECT 1 FROM cases_deadline d WHERE d.case_id = c.id AND d.kind = 'resolve'
      AND d.met_at IS NOT NULL AND d.met_at <= d.due_at
      AND d.round = (SELECT MAX(d2.round) FROM cases_deadline d2
                     WHERE d2.case_id = c.id AND d2.kind = 'resolve'))
      THEN 1 ELSE 0 END AS dispatched_in_time,
  CASE WHEN c.state <> 'merged' AND c.dispatched = %s THEN (
      SELECT a.department_id FROM cases_caseassignment a WHERE a.case_id = c.id AND a.lead = %s
      ORDER BY a.id DESC LIMIT 1) ELSE NULL END AS department,
  CASE WHEN c.state IN ('resolved', 'closed') THEN (
      SELECT e.actor_id FROM cases_caseevent e WHERE e.case_id = c.id AND e.action = 'resolve'
      ORDER BY e.id DESC LIMIT 1) ELSE NULL END AS handler
FROM cases_case c
WHERE c.created_at >= %s AND c.created_at < %s
"""


def raw_counts(period: Period, where: str = "", params: tuple = ()) -> dict[str, int]:
    """Sums over raw case rows received in `period` (local days), narrowed by `where` on the flags."""
    start = dt.datetime.combine(period.start, dt.time(), SHANGHAI)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time(), SHANGHAI)
    adapt = connection.ops.adapt_datetimefield_value
    sums = ", ".join(f"COALESCE(SUM(f.{n}), 0)" for n in COUNTERS)
    sql = f"SELECT {sums} FROM ({RAW_FLAGS}) f WHERE 1 = 1 {where}"  # noqa: S608 - no input from outside
    with connection.cursor() as cursor:
        cursor.execute(sql, (True,) * 6 + (adapt(start), adapt(end)) + params)
        return dict(zip(COUNTERS, cursor.fetchone(), strict=True))


def category_subtree(category: Category) -> list[int]:
    ids, frontier = [category.pk], [category.pk]
    while frontier:
        frontier = list(Category.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids += frontier
    return ids


# --- The random walk -------------------------------------------------------------------------------


class Walk:
    CATEGORIES = ["sanitation", "water", "heating", "neighbour_dispute", "roads", "elderly_care", "praise"]

    NEXT = {
        "received": ["respond", "respond", "escalate", "return", "dispatch", "resolve", "resolve", "merge"],
        "handling": ["escalate", "return", "dispatch", "resolve", "resolve", "resolve", "merge"],
        "resolved": ["rate"],
    }

    def __init__(self, world, seed: int):
        self.world = world
        self.rng = random.Random(seed)
        self.now = at(NEXT_MONTH - dt.timedelta(days=2), 21)
        self.second = orgs_services.organisation_create(
            actor=None, kind="department", name="县住建局", territory=world.county, categories=["roads"]
        )
        self.cases: list[Case] = []
        self.done: dict[str, int] = {}

    def actors_for(self, case: Case) -> list:
        w = self.world
        return [w.secretary, w.grid_chief_a, w.grid_chief_b, w.handler]

    def tick(self) -> None:
        step = self.rng.choice([5, 30, 90, 60 * 3, 60 * 12, 60 * 30])
        self.now += dt.timedelta(minutes=self.rng.randint(1, step))

    def act(self) -> None:
        rng, w = self.rng, self.world
        self.tick()
        with clock.frozen(self.now):
            roll = rng.random()
            if roll < 0.15 or len(self.cases) < 5:
                household = rng.choice(["a", "a", "b", "c", "x"])
                self.cases.append(
                    submit(
                        w,
                        household,
                        rng.choice(self.CATEGORIES),
                        urgency=rng.choice(["normal", "normal", "urgent", "emergency"]),
                    )
                )
                self.done["submit"] = self.done.get("submit", 0) + 1
                return
            if roll < 0.2:
                deadlines.sweep(now=self.now)
                self.done["sweep"] = self.done.get("sweep", 0) + 1
                return
            live = list(Case.objects.exclude(state__in=["closed", "merged"]).values_list("pk", flat=True))
            pick = rng.choice(live) if live and rng.random() < 0.85 else rng.choice(self.cases).pk
            case = Case.objects.get(pk=pick)
            name = rng.choice(self.NEXT.get(case.state, ["rate", "respond"]))
            actor = w.town_officer if rng.random() < 0.6 else rng.choice(self.actors_for(case))
            try:
                self.run(name, actor, case)
            except (ApplicationError, PermissionDenied, Http404):
                return  # refused: the service changed nothing
            self.done[name] = self.done.get(name, 0) + 1

    def run(self, name: str, actor, case: Case) -> None:
        rng, s = self.rng, services
        if name == "respond":
            s.case_respond(actor=actor, case=case)
        elif name == "escalate":
            s.case_escalate(actor=actor, case=case, note="需要上级协调")
        elif name == "return":
            s.case_return(actor=actor, case=case, note="退回下级")
        elif name == "dispatch":
            depts = rng.choice([[self.world.department], [self.second], [self.second, self.world.department]])
            s.case_dispatch(actor=actor, case=case, departments=depts)
        elif name == "resolve":
            s.case_resolve(actor=actor, case=case, note="已处理", on_the_spot=rng.random() < 0.3)
        elif name == "rate":
            rating = rng.choice(["satisfied", "basically", "unsatisfied"])
            if rng.random() < 0.5:
                s.case_rate(actor=None, case=case, rating=rating, by_reporter=True)
            else:
                s.case_rate(actor=actor, case=case, rating=rating)
        elif name == "merge":
            into = Case.objects.get(pk=rng.choice(self.cases).pk)
            s.case_merge(actor=actor, case=case, into=into, note="重复诉求")


def check_against_raw(world, user, periods: list[Period]) -> int:
    """Compare the selectors with the raw aggregate for every node, department, category and handler."""
    checked = 0
    nodes = list(Territory.objects.all())
    categories = list(Category.objects.all())
    for period in periods:
        for node in nodes:
            got = measures.measures_for(user, node, period).counts
            succ = paths.successor(node.path)
            assert got == raw_counts(period, "AND f.path >= %s AND f.path < %s", (node.path, succ)), node
            checked += 1
        town = world.town
        depts = {r.key: r.counts for r in measures.three_rates_for(user, town, period, by="department")}
        for dept_id in {world.department.pk, *depts}:
            expected = raw_counts(period, "AND f.department = %s", (dept_id,))
            assert depts.get(dept_id, dict.fromkeys(COUNTERS, 0)) == expected, dept_id
            checked += 1
        by_cat = {r.key: r.counts for r in measures.three_rates_for(user, town, period, by="category")}
        for cat in categories:
            ids = category_subtree(cat)
            marks = ", ".join(["%s"] * len(ids))
            expected = raw_counts(period, f"AND f.category IN ({marks})", tuple(ids))
            assert by_cat.get(cat.pk, dict.fromkeys(COUNTERS, 0)) == expected, cat.code
            checked += 1
        by_handler = {r.key: r.counts for r in measures.three_rates_for(user, town, period, by="handler")}
        for handler_id in by_handler:
            assert by_handler[handler_id] == raw_counts(period, "AND f.handler = %s", (handler_id,))
            checked += 1
        children = measures.three_rates_for(user, town, period, by="territory")
        assert measures.total_of(children).counts == measures.measures_for(user, town, period).counts
    return checked


@pytest.mark.parametrize("seed", [7, 2026])
def test_the_roll_up_stays_exact_through_a_random_walk_of_transitions(world, seed):
    walk = Walk(world, seed)
    for _ in range(260):
        walk.act()
    # The walk must have exercised every transition for the check to mean something.
    assert {"submit", "respond", "escalate", "dispatch", "resolve", "rate", "merge", "sweep"} <= set(
        walk.done
    )
    states = set(Case.objects.values_list("state", flat=True))
    assert {State.CLOSED, State.MERGED, State.HANDLING} <= states
    assert Case.objects.filter(reopen_count__gt=0).exists()
    assert CaseEvent.objects.filter(actor=None, action__in=["escalate", "dispatch", "overdue"]).exists()

    incremental = stat_table()
    assert any(key[0] == "area" for key in incremental)
    assert not CaseStatArea.objects.filter(received__lt=0).exists()
    tallies = set(CaseTally.objects.values_list("case_id", flat=True))
    assert tallies == set(Case.objects.values_list("pk", flat=True))
    out = io.StringIO()
    call_command("rebuild_case_stats", stdout=out)
    assert stat_table() == incremental
    # A rebuild of a city takes half an hour: each step is announced as it starts.
    steps = [line.split("] ", 1)[1][:3] for line in out.getvalue().splitlines() if line.startswith("[")]
    assert steps == ["1/5", "2/5", "3/5", "4/5", "5/5"]
    assert f"rebuilt: {len(tallies)} cases" in out.getvalue()

    user = superuser()
    months = sorted(
        {
            measures.period_of("this_month", today=d)
            for d in (walk.now.date() - dt.timedelta(days=n) for n in range(0, 120, 10))
        },
        key=lambda p: p.start,
    )
    whole = Period("custom", FIRST_MONTH, walk.now.date())
    years = Period("custom", dt.date(FIRST_MONTH.year - 1, 12, 31), dt.date(walk.now.year + 1, 12, 31))
    edges = Period("custom", NEXT_MONTH - dt.timedelta(days=1), NEXT_MONTH + dt.timedelta(days=33))
    assert check_against_raw(world, user, [whole, years, edges, *months]) > 100


def test_a_case_received_on_the_last_day_of_a_month_counts_in_that_month(world):
    with clock.frozen(at(NEXT_MONTH - dt.timedelta(days=1), 23, 30)):  # 15:30 UTC: still January in Shanghai
        january = submit(world)
    with clock.frozen(at(NEXT_MONTH, 0, 30)):  # 16:30 UTC on 31 January: February in Shanghai
        february = submit(world)
    user = superuser()
    jan = measures.measures_for(user, world.town, period_of("this_month", today=FIRST_MONTH))
    feb = measures.measures_for(user, world.town, period_of("this_month", today=NEXT_MONTH))
    assert (jan.received, feb.received) == (1, 1)
    assert CaseTally.objects.get(case_id=january.pk).day == NEXT_MONTH - dt.timedelta(days=1)
    assert CaseTally.objects.get(case_id=february.pk).day == NEXT_MONTH
    last_day = measures.measures_for(
        user,
        world.town,
        Period("custom", NEXT_MONTH - dt.timedelta(days=1), NEXT_MONTH - dt.timedelta(days=1)),
    )
    assert last_day.received == 1


def test_a_response_after_the_limit_counts_as_responded_but_not_within_the_limit(world):
    with clock.frozen(at(SOME_MONTH)):
        late = submit(world)
        prompt = submit(world)
    with clock.frozen(at(SOME_MONTH, 10)):
        services.case_respond(actor=world.grid_chief_a, case=prompt)
    with clock.frozen(at(SOME_MONTH + dt.timedelta(days=2))):  # the normal limit is 24 hours
        services.case_respond(actor=world.secretary, case=late)
        row = measures.measures_for(world.secretary, world.c1, period_of("this_month"))
    assert (row.received, row.responded, row.responded_in_time) == (2, 2, 1)
    assert row.response_rate == 0.5


def test_an_unsatisfied_rating_reopens_and_the_case_counts_by_its_latest_state(world):
    with clock.frozen(at(SOME_MONTH)):
        case = submit(world)
        services.case_resolve(actor=world.grid_chief_a, case=case, note="已清理", on_the_spot=True)
        period = period_of("this_month")
        row = measures.measures_for(world.secretary, world.c1, period)
        assert (row.resolved, row.settled_grid, row.on_the_spot, row.rated) == (1, 1, 1, 0)
        services.case_rate(actor=None, case=case, rating="unsatisfied", by_reporter=True)
        row = measures.measures_for(world.secretary, world.c1, period)
        assert (row.resolved, row.settled_grid, row.on_the_spot, row.rated, row.unsatisfied) == (
            0,
            0,
            0,
            1,
            1,
        )
        assert row.resolution_rate == 0.0 and row.satisfaction_rate == 0.0
        services.case_resolve(actor=world.grid_chief_a, case=case, note="再次清理")
        services.case_rate(actor=None, case=case, rating="basically", by_reporter=True)
        row = measures.measures_for(world.secretary, world.c1, period)
    assert (row.resolved, row.rated, row.basically, row.unsatisfied) == (1, 1, 1, 0)
    assert row.satisfaction_rate == 1.0


def test_a_merged_duplicate_leaves_the_received_count_and_is_counted_as_merged(world):
    with clock.frozen(at(SOME_MONTH)):
        first = submit(world)
        duplicate = submit(world)
        services.case_merge(actor=world.grid_chief_a, case=duplicate, into=first, note="同一问题")
        row = measures.measures_for(world.secretary, world.c1, period_of("this_month"))
    assert (row.received, row.merged) == (1, 1)


def test_a_dispatched_case_counts_for_its_lead_department_and_its_resolver(world):
    with clock.frozen(at(SOME_MONTH)):
        case = submit(world, category="water")
        services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
        services.case_resolve(actor=world.handler, case=case, note="已修复")
        period = period_of("this_month")
        (dept,) = measures.three_rates_for(world.town_officer, world.town, period, by="department")
        (person,) = measures.three_rates_for(world.town_officer, world.town, period, by="handler")
    assert dept.label == "县水务局" and (dept.dispatched, dept.dispatched_in_time) == (1, 1)
    assert dept.dispatched_in_time_share == 1.0
    assert person.key == world.handler.pk and person.resolved == 1


def test_a_parent_category_includes_its_children(world):
    with clock.frozen(at(SOME_MONTH)):
        submit(world, category="water")
        submit(world, category="heating")
        submit(world, category="sanitation")
        rows = measures.three_rates_for(world.secretary, world.c1, period_of("this_month"), by="category")
    found = {r.key: (r.depth, r.received) for r in rows}
    utilities = Category.objects.get(code="utilities")
    assert found[utilities.pk] == (0, 2)
    assert found[Category.objects.get(code="water").pk] == (1, 1)
    assert sum(r.received for r in rows if r.depth == 0) == 3


def test_rates_are_none_when_nothing_was_received(world):
    row = measures.measures_for(world.town_officer, world.town, period_of("this_month"))
    assert row.received == 0
    assert (row.response_rate, row.resolution_rate, row.satisfaction_rate) == (None, None, None)
    assert row.response_pct == "—"


def test_a_grid_chief_sees_only_their_grid_and_an_outsider_nothing(world):
    with clock.frozen(at(SOME_MONTH)):
        submit(world, "a")
        submit(world, "b")
        submit(world, "x")
        period = period_of("this_month")
        assert measures.measures_for(world.grid_chief_a, world.grid_a, period).received == 1
        with pytest.raises(Http404):
            measures.measures_for(world.grid_chief_a, world.c1, period)
        with pytest.raises(Http404):
            measures.measures_for(world.grid_chief_a, world.grid_b, period)
        with pytest.raises(Http404):
            measures.measures_for(world.outsider, world.town, period)
        assert measures.measures_for(world.secretary, world.c1, period).received == 2
        assert measures.measures_for(world.town_officer, world.town, period).received == 3


def test_a_department_handler_sees_only_their_departments_figures(world):
    other = orgs_services.organisation_create(
        actor=None, kind="department", name="县住建局", territory=world.county, categories=["roads"]
    )
    with clock.frozen(at(SOME_MONTH)):
        ours = submit(world, category="water")
        theirs = submit(world, category="roads")
        submit(world)
        services.case_dispatch(actor=world.town_officer, case=ours, departments=[world.department])
        services.case_dispatch(actor=world.town_officer, case=theirs, departments=[other])
        period = period_of("this_month")
        row = measures.measures_for(world.handler, world.town, period)
        depts = measures.three_rates_for(world.handler, world.county, period, by="department")
    assert (row.received, row.dispatched) == (1, 1)
    assert [d.label for d in depts] == ["县水务局"]


def _tables_read(fn) -> set[str]:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return {
        t
        for t in ("cases_casestatarea", "cases_casestat")
        if any(t + '"' in q["sql"] or t + " " in q["sql"] for q in queries.captured_queries)
    }


def test_a_town_is_read_from_the_area_rows_and_a_grid_or_a_department_from_the_full_roll_up(world):
    with clock.frozen(at(SOME_MONTH)):
        case = submit(world, category="water")
        services.case_dispatch(actor=world.secretary, case=case, departments=[world.department])
        period = period_of("this_month")
        by = ("territory", "department", "category", "handler")
        town = lambda: [measures.three_rates_for(world.town_officer, world.town, period, b) for b in by]  # noqa: E731
        assert _tables_read(town) == {"cases_casestatarea"}
        grid = lambda: measures.three_rates_for(world.grid_chief_a, world.grid_a, period, "territory")  # noqa: E731
        assert _tables_read(grid) == {"cases_casestat"}
        dept = lambda: measures.measures_for(world.handler, world.town, period)  # noqa: E731
        assert _tables_read(dept) == {"cases_casestat"}
        assert measures.measures_for(world.handler, world.town, period).dispatched == 1
        (row,) = measures.three_rates_for(world.town_officer, world.town, period, "department")
        assert (row.key, row.dispatched) == (world.department.pk, 1)


def test_moving_a_grid_to_another_community_moves_its_cases_figures_with_it(world):
    with clock.frozen(at(SOME_MONTH)):
        submit(world, "a")
        resolved = submit(world, "a", category="neighbour_dispute")
        services.case_resolve(actor=world.grid_chief_a, case=resolved, note="已修复")
        submit(world, "b")  # grid B stays in C1
        submit(world, "x")  # in C2
        period = period_of("this_month")
        user = superuser()
        assert measures.measures_for(user, world.c1, period).received == 3
        territory_services.territory_move(actor=None, node=world.grid_a, new_parent=world.c2)
        c1 = measures.measures_for(user, world.c1, period)
        c2 = measures.measures_for(user, world.c2, period)
        children = {r.key: r.received for r in measures.three_rates_for(user, world.town, period)}
    assert (c1.received, c2.received, c2.resolved) == (1, 3, 1)
    assert children == {world.c1.path: 1, world.c2.path: 3}
    kept = stat_table()
    call_command("rebuild_case_stats", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert stat_table() == kept
    for node in (world.c1, world.c2, world.town):
        succ = paths.successor(node.path)
        raw = raw_counts(period, "AND f.path >= %s AND f.path < %s", (node.path, succ))
        assert measures.measures_for(user, node, period).counts == raw


def test_a_period_reads_whole_years_and_months_from_their_rows_and_the_edges_from_day_rows():
    d, m, y = StatGrain.DAY, StatGrain.MONTH, StatGrain.YEAR
    assert period_parts(Period("custom", dt.date(2026, 1, 30), dt.date(2026, 4, 2))) == [
        (d, dt.date(2026, 1, 30), dt.date(2026, 1, 31)),
        (m, dt.date(2026, 2, 1), dt.date(2026, 3, 1)),
        (d, dt.date(2026, 4, 1), dt.date(2026, 4, 2)),
    ]
    assert period_parts(period_of("this_year", today=dt.date(2028, 5, 5))) == [
        (y, dt.date(2028, 1, 1), dt.date(2028, 1, 1))
    ]
    assert period_parts(period_of("last_month", today=dt.date(2028, 3, 1))) == [
        (m, dt.date(2028, 2, 1), dt.date(2028, 2, 1))
    ]
    assert period_parts(Period("custom", dt.date(2026, 2, 3), dt.date(2026, 2, 27))) == [
        (d, dt.date(2026, 2, 3), dt.date(2026, 2, 27))
    ]
    assert period_parts(Period("custom", dt.date(2025, 11, 30), dt.date(2028, 2, 2))) == [
        (d, dt.date(2025, 11, 30), dt.date(2025, 11, 30)),
        (m, dt.date(2025, 12, 1), dt.date(2025, 12, 1)),
        (y, dt.date(2026, 1, 1), dt.date(2027, 1, 1)),
        (m, dt.date(2028, 1, 1), dt.date(2028, 1, 1)),
        (d, dt.date(2028, 2, 1), dt.date(2028, 2, 2)),
    ]


def test_a_custom_period_with_the_last_day_first_is_refused():
    with pytest.raises(ApplicationError) as refused:
        period_of("custom", start=dt.date(2026, 3, 5), end=dt.date(2026, 3, 1))
    assert refused.value.field == "end"


def test_a_roll_up_change_of_more_rows_than_one_statement_holds_is_added_and_taken_away_whole(world):
    from civicgrid.cases.measures_tally import STAT_KEY, upsert

    category = Category.objects.get(code="sanitation").pk
    first = dt.date(2026, 1, 1)
    moves = {
        (StatGrain.DAY, first + dt.timedelta(days=n % 400), world.grid_a.path, category, n, 0): [
            1,
            0,
            *[n % 2] * (len(COUNTERS) - 2),
        ]
        for n in range(1, 1_201)
    }
    upsert(CaseStat, STAT_KEY, moves)
    rows = CaseStat.objects.filter(handler=0, department__gt=0)
    assert rows.count() == 1_200
    assert sum(rows.values_list("resolved", flat=True)) == 600
    assert rows.get(department=401).period == first + dt.timedelta(days=1)
    upsert(CaseStat, STAT_KEY, {key: [-n for n in deltas] for key, deltas in moves.items()})
    assert not rows.exists()  # rows left counting nothing are gone
