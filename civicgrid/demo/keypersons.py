"""Demo key persons: a few dozen residents of the demo county under three-colour management.

Written through the key-person services, so cadences, due dates, histories and audit rows are what
the product makes. Residents carrying the registry's rehabilitation, correction and mental-health
tags are the first candidates (as a community would register them); others are released after a
sentence or persistent petitioners. The grid chief's own grid gets a handful, some overdue, so the
due list and the today page have something to show. Deterministic for a seed; runs once.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from civicgrid.accounts.models import RoleAssignment
from civicgrid.core import clock, paths
from civicgrid.demo.generator import COUNTY_CODE
from civicgrid.keypersons import services
from civicgrid.keypersons.models import KeyPerson, KeyPersonCategory
from civicgrid.registry.models import Resident, ResidentStatus, Tagging
from civicgrid.territory.models import Territory

# registry tag → key-person category, for residents the registry already marks
FROM_TAGS = {
    "drug_rehabilitation": "drug_rehabilitation",
    "community_correction": "community_correction",
    "mental_health": "mental_illness_risk",
}
EXTRA = [("released_after_sentence", 8), ("petitioner", 4), ("youth_at_risk", 2)]
COLOURS = [("red", 15), ("yellow", 35), ("green", 50)]
REASONS = {
    "drug_rehabilitation": ["社区康复第二年，尿检均为阴性", "曾复吸一次，家属配合监督", "就业稳定，情绪平稳"],
    "community_correction": ["缓刑考验期，按时报到", "假释期间，工作单位配合帮教"],
    "released_after_sentence": ["刑满释放回村，暂无固定工作", "释放后与家人同住，已推荐就业"],
    "mental_illness_risk": [
        "规律服药，监护人为配偶",
        "曾有肇事肇祸倾向，需重点关注",
        "病情稳定，家属监护到位",
    ],
    "petitioner": ["土地补偿问题多次上访", "对拆迁安置有异议"],
    "youth_at_risk": ["辍学在家，与社会闲散人员交往", "父母外出务工，缺少监护"],
}
# (colour, days from today to the next visit due) for the grid chief's first key persons
SHOWCASE = [("red", -2), ("yellow", 2)]
REVIEW_REASONS = ["近期走访情况良好，降低风险等级", "家属反映情绪波动，提高关注", "复评维持现有等级"]


def _pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights)[0]


def _login(username: str):
    return get_user_model().objects.filter(username=username).first()


def _node_of(user) -> str | None:
    row = RoleAssignment.objects.active().filter(user=user).values_list("territory_path", flat=True).first()
    return row


def _candidates(rng: random.Random, county: Territory, grid_path: str | None) -> list[tuple[Resident, str]]:
    living = Resident.objects.filter(
        paths.subtree_q("territory_path", county.path),
        status__in=[ResidentStatus.PRESENT, ResidentStatus.AWAY],
    )
    chosen: list[tuple[Resident, str]] = []
    taken: set[int] = set()
    tagged = Tagging.objects.filter(
        tag__code__in=list(FROM_TAGS), resident__in=living, until__isnull=True
    ).select_related("resident", "tag")
    for tagging in tagged.order_by("resident_id"):
        if tagging.resident_id not in taken:
            chosen.append((tagging.resident, FROM_TAGS[tagging.tag.code]))
            taken.add(tagging.resident_id)
    today = clock.today()
    adults = list(
        living.filter(
            birth_date__lte=today - dt.timedelta(days=18 * 365), birth_date__gte=dt.date(1955, 1, 1)
        )
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    youths = list(
        living.filter(
            birth_date__gt=today - dt.timedelta(days=25 * 365),
            birth_date__lte=today - dt.timedelta(days=14 * 365),
        )
        .exclude(pk__in=taken)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if grid_path:  # the grid chief's own grid first, so their due list is not empty
        mine = [
            pk
            for pk in Resident.objects.filter(paths.subtree_q("territory_path", grid_path), pk__in=adults)
            .order_by("pk")
            .values_list("pk", flat=True)[:40]
        ]
        for code, pk in zip(
            ["released_after_sentence", "petitioner", "drug_rehabilitation"],
            rng.sample(mine, min(3, len(mine))),
            strict=False,
        ):
            chosen.append((Resident.objects.get(pk=pk), code))
            taken.add(pk)
    for code, n in EXTRA:
        pool = [pk for pk in (youths if code == "youth_at_risk" else adults) if pk not in taken]
        for pk in rng.sample(pool, min(n, len(pool))):
            chosen.append((Resident.objects.get(pk=pk), code))
            taken.add(pk)
    return chosen


def _since_until(
    rng: random.Random, category: KeyPersonCategory, today: dt.date
) -> tuple[dt.date, dt.date | None]:
    if category.code == "community_correction":
        since = today - dt.timedelta(days=rng.randrange(30, 500))
        return since, today + dt.timedelta(days=rng.randrange(20, 400))
    years = category.lapse_years or 3
    return today - dt.timedelta(days=rng.randrange(20, min(years * 365 - 30, 900))), None


def load(*, seed: int = 1) -> dict[str, int]:
    """Register the demo key persons once; a second run finds them and does nothing."""
    counts = {"key_persons": 0, "reviews": 0, "visits": 0, "ended": 0}
    county = Territory.objects.filter(code=COUNTY_CODE).first()
    officer = _login("town_officer")
    if county is None or officer is None:
        return counts
    if KeyPerson.objects.filter(territory_path__startswith=county.path).exists():
        return counts
    rng = random.Random(seed * 4409)
    chief, worker, secretary = _login("grid_chief"), _login("grid_worker"), _login("community_secretary")
    grid_path = _node_of(chief) if chief else None
    categories = {c.code: c for c in KeyPersonCategory.objects.filter(territory__isnull=True)}
    today = clock.today()
    with transaction.atomic():
        if secretary is not None:
            community = Territory.objects.filter(path=_node_of(secretary)).first()
            if community is not None:  # one community visits its yellow persons more often than the default
                services.visit_cadence_set(actor=secretary, territory=community, days={"yellow": 20})
        showcase = list(SHOWCASE)  # the grid chief's first ones: one overdue, one due in two days
        for resident, code in _candidates(rng, county, grid_path):
            category = categories[code]
            since, until = _since_until(rng, category, today)
            mine = bool(grid_path and paths.is_within(resident.territory_path, grid_path))
            actor = chief if mine else officer
            shown = showcase.pop(0) if mine and showcase else None
            kp = services.keyperson_register(
                actor=actor,
                resident=resident,
                category=category,
                risk_colour=shown[0] if shown else _pick(rng, COLOURS),
                reason=rng.choice(REASONS[code]),
                since=since,
                until=until,
            )
            counts["key_persons"] += 1
            if shown:
                every = (kp.next_visit_due - since).days
                visited = today - dt.timedelta(days=every - shown[1])
                services.keyperson_visit_record(actor=worker or actor, key_person=kp, visited_on=visited)
                counts["visits"] += 1
                continue
            # Most were visited on time lately; some are overdue, as in any grid.
            day = max(since, today - dt.timedelta(days=120))  # the recent visits are what the lists show
            cadence_days = (kp.next_visit_due - since).days
            while True:
                day = day + dt.timedelta(days=max(1, cadence_days + rng.randrange(-2, 4)))
                if day > today - dt.timedelta(days=rng.choice([0, 1, 3, 10])):
                    break
                services.keyperson_visit_record(actor=worker or actor, key_person=kp, visited_on=day)
                counts["visits"] += 1
            overdue_review = kp.review_due is not None and kp.review_due < today
            if rng.random() < (0.7 if overdue_review else 0.2):
                kp = services.keyperson_review(
                    actor=actor,
                    key_person=kp,
                    risk_colour=_pick(rng, COLOURS),
                    reason=rng.choice(REVIEW_REASONS),
                )
                counts["reviews"] += 1
            if rng.random() < 0.05:
                services.keyperson_end(actor=actor, key_person=kp, reason="经评估已无现实危险，解除管理")
                counts["ended"] += 1
    return counts
