"""Demo cases: a year of demands through the real services, with a skewed, seasonal mix.

Each case lives its whole life (intake, response, escalation or dispatch, resolution, rating) under a
moved clock before the next one starts, so deadlines, the sweep's escalations and the measures are
what the product itself would have produced. The last few days stay open, for the queues.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from civicgrid.cases import deadlines, services
from civicgrid.cases.models import Category, DeadlineKind, State, Tier
from civicgrid.core import clock
from civicgrid.orgs.selectors import departments_serving
from civicgrid.registry.models import House

# (category code, weight, what residents say)
MIX = [
    ("sanitation", 18, ["楼道垃圾无人清运", "小区垃圾桶满溢", "路边堆放建筑垃圾"]),
    ("neighbour_dispute", 10, ["楼上噪音扰民", "邻居占用公共楼道", "宠物狗夜间吠叫"]),
    ("property", 11, ["电梯经常故障", "物业不及时维修路灯", "小区门禁损坏"]),
    ("water", 7, ["家中停水", "自来水浑浊发黄", "水管爆裂漏水"]),
    ("power", 5, ["单元楼停电", "路灯不亮"]),
    ("heating", 6, ["暖气不热", "供暖管道漏水"]),
    ("roads", 9, ["路面坑洼积水", "井盖缺失", "人行道砖松动"]),
    ("illegal_construction", 2, ["楼顶私搭乱建"]),
    ("elderly_care", 6, ["独居老人需要助餐服务", "老人行动不便需上门帮助"]),
    ("children", 2, ["留守儿童课后无人照看"]),
    ("social_assistance", 4, ["咨询低保申请", "临时救助申请"]),
    ("public_security", 3, ["电动车被盗", "夜间有陌生人徘徊"]),
    ("flood_control", 2, ["暴雨后地下室进水", "排水沟堵塞"]),
    ("health", 3, ["咨询家庭医生签约", "疫苗接种咨询"]),
    ("employment", 3, ["咨询灵活就业社保缴纳"]),
    ("suggestion", 5, ["建议增设健身器材", "建议增加停车位"]),
    ("praise", 2, ["表扬网格员热心帮助"]),
]
SEASON = {"heating": {11, 12, 1, 2}, "flood_control": {6, 7, 8}}
CHANNELS = [
    ("hotline_12345", 35),
    ("neighbour_hotline", 15),
    ("walk_in", 10),
    ("wechat", 15),
    ("visit", 10),
    ("portal", 10),
    ("suggestion_box", 5),
]
RATINGS = [("satisfied", 80), ("basically", 13), ("unsatisfied", 7)]


def _pick(rng: random.Random, weighted):
    items, weights = zip(*[(w[0], w[1]) for w in weighted], strict=True)
    return rng.choices(items, weights=weights)[0]


def load_demo_cases(*, seed: int, count: int, now: dt.datetime | None = None, progress=None) -> int:
    rng = random.Random(seed * 7919)
    now = now or clock.now()
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    categories = {c.code: c for c in Category.objects.all()}
    texts = {code: phrases for code, _w, phrases in MIX}
    houses = list(House.objects.select_related("unit").order_by("pk"))
    if admin is None or not houses:
        return 0
    starts = sorted(now - dt.timedelta(minutes=rng.randrange(60, 365 * 24 * 60)) for _ in range(count))
    made = 0
    for t0 in starts:
        month = t0.month
        mix = [
            (c, w * (4 if month in SEASON.get(c, {month}) else 0 if c in SEASON else 1), p) for c, w, p in MIX
        ]
        code = _pick(rng, mix)
        with transaction.atomic():
            _one_case(rng, admin, categories[code], rng.choice(texts[code]), rng.choice(houses), t0, now)
        made += 1
        if progress and made % 100 == 0:
            progress(f"  {made} demo cases")
    return made


def _one_case(rng, admin, category, text, house, t0, now):
    channel = _pick(rng, CHANNELS)
    portal = channel in ("portal", "suggestion_box")
    with clock.frozen(t0):
        case = services.case_submit(
            actor=None if portal else admin,
            channel=channel,
            category=category,
            title=text,
            description=f"{text}。地址：{house.address}",
            house=house,
            anonymous=channel == "suggestion_box",
            reporter_name="" if portal else rng.choice(["王先生", "李女士", "张阿姨", "刘师傅", "陈先生"]),
        )
    respond_due = case.deadlines.get(kind=DeadlineKind.RESPOND).due_at
    window = respond_due - t0
    t = t0 + window * rng.uniform(0.05, 1.05)  # about one in twenty responds late
    if t > now:
        return case  # recent: still waiting
    if t > respond_due:
        deadlines.sweep(now=t)  # late: the sweep escalates it, as it would have
        case.refresh_from_db()
    with clock.frozen(t):
        if rng.random() < 0.12 and channel in ("walk_in", "visit") and case.state == State.RECEIVED:
            return _rate(
                rng,
                admin,
                services.case_resolve(actor=admin, case=case, note="现场解决", on_the_spot=True),
                t,
                now,
            )
        if case.state == State.RECEIVED:
            case = services.case_respond(actor=admin, case=case)
    t += dt.timedelta(hours=rng.uniform(2, 72))
    if t > now:
        return case
    roll = rng.random()
    with clock.frozen(t):
        if roll < 0.18 and case.tier in (Tier.UNIT, Tier.GRID):
            case = services.case_escalate(actor=admin, case=case, note="需要社区协调解决")
        elif roll < 0.33 and case.tier != Tier.DEPARTMENT:
            depts = departments_serving(case.territory_path, category.code)
            if depts:
                case = services.case_dispatch(
                    actor=admin, case=case, departments=depts[:1], note="派至职能部门"
                )
    resolve_due = case.deadlines.filter(kind=DeadlineKind.RESOLVE).order_by("-round").first().due_at
    t += max(resolve_due - t, dt.timedelta(hours=4)) * rng.uniform(0.1, 1.06)
    if t > now:
        return case
    if t > resolve_due:
        deadlines.sweep(now=t)
        case.refresh_from_db()
    with clock.frozen(t):
        case = services.case_resolve(actor=admin, case=case, note="已处理完毕，已电话回访")
    return _rate(rng, admin, case, t, now)


def _rate(rng, admin, case, t, now):
    t += dt.timedelta(hours=rng.uniform(1, 48))
    if t > now:
        return case
    rating = _pick(rng, RATINGS)
    with clock.frozen(t):
        case = services.case_rate(
            actor=None,
            case=case,
            rating=rating,
            by_reporter=True,
            comment="" if rating != "unsatisfied" else "问题没有彻底解决",
        )
    if rating == "unsatisfied":
        t += dt.timedelta(days=rng.uniform(1, 5))
        if t < now:
            with clock.frozen(t):
                case = services.case_resolve(actor=admin, case=case, note="再次上门处理")
            with clock.frozen(t + dt.timedelta(hours=6)):
                case = services.case_rate(actor=None, case=case, rating="satisfied", by_reporter=True)
    return case
