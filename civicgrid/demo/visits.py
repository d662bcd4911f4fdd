"""Demo visits: the rules a county would set, and eight months of a grid's visits through the services.

The rules sit on the county: a yearly comprehensive round that started about eight months ago,
vulnerable groups more often, a return visit a week after a case closes. The first community's grid
staff have been at it: the grid worker has covered most of the first grid, the neighbouring grid's
chief part of theirs, the secretary a little of the rest, so coverage differs from grid to grid and
every list (due, overdue, never visited) has something in it. Each visit is logged under a frozen
clock on its own day, so due dates follow from it as they would have. Running it twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicgrid.cases.models import Case, Category, State
from civicgrid.core import clock, paths
from civicgrid.demo.generator import COUNTY_CODE
from civicgrid.demo.staff import in_post_since
from civicgrid.registry.models import Household, HouseholdStatus, Tag
from civicgrid.territory.models import Territory
from civicgrid.visits import dues, services
from civicgrid.visits.models import Need, RuleTarget, Visit, VisitDue, VisitKind, VisitRule

ROUND_DAYS = 365
ROUND_STARTED_DAYS_AGO = 240
TAG_RULES = [
    ("lonely_elderly", 30),
    ("empty_nest_elderly", 60),
    ("left_behind_child", 30),
    ("low_income", 90),
]
RETURN_AFTER_DAYS = 7
FINDINGS = [
    ("all_well", "家中一切正常，老人身体硬朗。"),
    ("all_well", "户主在家，了解了家庭近况，无特殊需求。"),
    ("needs_help", "老人独居，行动不便，希望有人定期上门看看。"),
    ("safety_hazard", "楼道堆放杂物，电动车在楼道内充电，已当场劝导。"),
    ("registry_wrong", "户内一名成员已外出务工多年，登记仍为在家。"),
    ("all_well", "宣传了反诈知识和垃圾分类，住户表示支持。"),
]
NEEDS = [
    "希望社区帮忙联系助餐服务",
    "需要一把轮椅",
    "孩子放学后无人照看，希望参加四点半课堂",
    "希望帮忙申请临时救助",
]
CASES = [
    ("property", "楼道灯坏了很久没人修"),
    ("sanitation", "单元门口垃圾桶满溢，无人清运"),
    ("roads", "门前路面塌陷积水"),
]


def _users() -> dict:
    names = ["admin", "grid_worker", "grid_chief", "grid_chief_b", "community_secretary"]
    found = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    return found if len(found) == len(names) else {}


def _rules(admin, county: Territory, today: dt.date) -> int:
    start = today - dt.timedelta(days=ROUND_STARTED_DAYS_AGO)
    made = [
        services.rule_create(
            actor=admin,
            territory=county,
            target=RuleTarget.ALL_HOUSEHOLDS,
            interval_days=ROUND_DAYS,
            starts_on=start,
        ),
        services.rule_create(
            actor=admin,
            territory=county,
            target=RuleTarget.CASE_CLOSED,
            interval_days=RETURN_AFTER_DAYS,
            starts_on=start,
        ),
    ]
    tags = {t.code: t for t in Tag.objects.filter(code__in=[c for c, _d in TAG_RULES])}
    for code, days in TAG_RULES:
        if code in tags:
            made.append(
                services.rule_create(
                    actor=admin,
                    territory=county,
                    target=RuleTarget.TAG,
                    tag=tags[code],
                    interval_days=days,
                    starts_on=start,
                )
            )
    return len(made)


def _plan(rng: random.Random, users: dict) -> list[tuple[object, Household, float]]:
    """(visitor, household, share of the round already covered) for the first community's grids."""
    worker = users["grid_worker"]
    grid = Territory.objects.get(pk=worker.assignments.get().territory_id)
    community = grid.parent
    plan = []
    shares = {grid.path: (worker, 0.8)}
    sibling = users["grid_chief_b"].assignments.get().territory
    shares[sibling.path] = (users["grid_chief_b"], 0.45)
    households = Household.objects.filter(
        paths.subtree_q("territory_path", community.path), status=HouseholdStatus.ACTIVE
    ).order_by("territory_path", "id")
    for household in households:
        grid_path = next((p for p in shares if paths.is_within(household.territory_path, p)), None)
        visitor, share = shares.get(grid_path, (users["community_secretary"], 0.15))
        plan.append((visitor, household, share))
    rng.shuffle(plan)
    return plan


def _one(rng: random.Random, visitor, household: Household, day: dt.date, categories: dict) -> Visit:
    flag, text = rng.choice(FINDINGS)
    need = rng.choice(NEEDS) if flag == "needs_help" and rng.random() < 0.6 else ""
    raised = None
    # Only recent findings become cases: an old one would have been settled long since.
    if flag == "safety_hazard" and (clock.today() - day).days <= 10:
        code, description = rng.choice(CASES)
        if code in categories:
            raised = services.RaisedCase(category=categories[code], description=description)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(9 + rng.randrange(8), rng.randrange(60))))
    with clock.frozen(at):
        return services.visit_log(
            actor=visitor,
            data=services.VisitInput(
                household=household,
                kind=VisitKind.COMPREHENSIVE,
                findings=text,
                flags={flag},
                need=need,
                case=raised,
            ),
        )


def _visits(rng: random.Random, users: dict, today: dt.date) -> int:
    categories = {c.code: c for c in Category.objects.filter(active=True)}
    made = 0
    for visitor, household, share in _plan(rng, users):
        if rng.random() >= share:
            continue
        day = today - dt.timedelta(days=rng.randrange(1, ROUND_STARTED_DAYS_AGO))
        _one(rng, visitor, household, day, categories)
        made += 1
    return made


def _returns(today: dt.date) -> int:
    """Cases closed in the last weeks, before these rules existed, get their return visit too."""
    since = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=21), dt.time()))
    opened = 0
    for case in Case.objects.filter(state=State.CLOSED, house__isnull=False, closed_at__gte=since):
        opened += dues.open_return(case=case, closed_on=timezone.localdate(case.closed_at))
    return opened


def load(*, seed: int = 1) -> dict[str, int]:
    """Add the demo's visit rules and visits to the demo county; nothing when already there."""
    county = Territory.objects.filter(code=COUNTY_CODE).first()
    users = _users()
    if county is None or not users or VisitRule.objects.filter(territory=county).exists():
        return {"visit_rules": 0, "visits": 0}
    rng = random.Random(seed * 4513)
    today = clock.today()
    with transaction.atomic():
        in_post_since(users, clock.now() - dt.timedelta(days=ROUND_STARTED_DAYS_AGO + 30))
        rules = _rules(users["admin"], county, today)
        visits = _visits(rng, users, today)
        returns = _returns(today)
    swept = dues.sweep()
    return {
        "visit_rules": rules,
        "visits": visits,
        "return_visits_due": returns,
        "visits_due_open": VisitDue.objects.filter(VisitDue.OPEN).count(),
        "needs": Need.objects.count(),
        "visit_cases": Visit.objects.filter(case__isnull=False).count(),
        "overdue_noted": swept.get("overdue", 0),
    }
