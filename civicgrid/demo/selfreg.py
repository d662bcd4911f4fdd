"""Demo self-registrations and registry corrections, through the services, on the demo county.

The story of the first grid over the last two weeks: families moving into new houses registered
themselves from the door plate, residents back from work elsewhere sent a "letter from home",
others updated their phone; the grid worker proposed corrections on visits. The grid chief has
decided some of it (approved, merged, one refused with a reason) and the rest waits in the queue,
so the review queue, the today page and the portal's tracking pages all have something to show.
Running it twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.db import transaction

from civicgrid.accounts.models import RoleAssignment
from civicgrid.core import clock, idcard, paths
from civicgrid.demo.generator import COUNTY_CODE
from civicgrid.demo.staff import in_post_since
from civicgrid.registry import services
from civicgrid.registry.models import (
    Household,
    HouseholdStatus,
    RegistryCorrection,
    Resident,
    ResidentStatus,
    SelfRegistration,
)
from civicgrid.territory.models import Territory

KEY = "demo-selfreg"
SURNAMES = "陈林黄周吴徐孙马朱胡郭何"
GIVEN = ["建国", "秀英", "志强", "桂兰", "海燕", "子涵", "浩然", "雨萱", "明", "静", "磊", "婷"]
NOTES = ["在浙江务工多年，今年回乡创业。", "刚搬来，房子是租的。", "", "孩子转学回来上学。"]


def _users() -> dict:
    names = ["grid_chief", "grid_worker"]
    found = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    return found if len(found) == len(names) else {}


def _grid(chief) -> Territory | None:
    assignment = RoleAssignment.objects.filter(user=chief, role="grid_chief").first()
    return Territory.objects.filter(path=assignment.territory_path).first() if assignment else None


def _person(rng: random.Random, region: str, seq: int, *, relation: str, born: dt.date) -> dict:
    male = rng.random() < 0.5
    return {
        "name": rng.choice(SURNAMES) + rng.choice(GIVEN),
        "id_number": idcard.make(region, born, 400 + seq, male=male),
        "relation": relation,
        "phone": f"139{rng.randrange(10**8):08d}" if relation == "head" or rng.random() < 0.4 else "",
    }


def _family(rng: random.Random, region: str, seq: int) -> list[dict]:
    year = rng.randrange(1965, 1995)
    people = [_person(rng, region, seq * 10, relation="head", born=dt.date(year, rng.randrange(1, 13), 9))]
    if rng.random() < 0.7:
        people.append(_person(rng, region, seq * 10 + 1, relation="spouse", born=dt.date(year + 1, 5, 20)))
    for k in range(rng.randrange(0, 3)):
        born = dt.date(min(year + 25 + k * 3, 2023), rng.randrange(1, 13), 15)
        people.append(_person(rng, region, seq * 10 + 2 + k, relation="child", born=born))
    return people


def _send(house, people, *, kind: str, note: str, n: int, at: dt.datetime) -> SelfRegistration:
    with clock.frozen(at):
        return services.self_registration_submit(
            house=house, kind=kind, people=people, note=note, idempotency_key=f"{KEY}-{n}"
        )


def load(*, seed: int = 1) -> dict[str, int]:
    """Add the demo's self-registrations and corrections to the demo county; nothing when already there."""
    county = Territory.objects.filter(code=COUNTY_CODE).first()
    users = _users()
    grid = _grid(users["grid_chief"]) if users else None
    already = SelfRegistration.objects.filter(idempotency_key__startswith=KEY).exists()
    if county is None or grid is None or already:
        return {"self_registrations": 0, "corrections": 0}
    rng = random.Random(seed * 7919)
    chief, worker = users["grid_chief"], users["grid_worker"]
    now = clock.now()
    region = COUNTY_CODE[:6]
    units = list(
        Territory.objects.filter(parent=grid, level="unit", retired_at__isnull=True).order_by("path")
    )
    in_grid = paths.subtree_q("territory_path", grid.path)
    with transaction.atomic():
        in_post_since(users, now - dt.timedelta(days=30))  # the story's decisions go back two weeks
        registrations = []
        # New families at new houses: approved (two), one still waiting.
        for n in range(3):
            unit = units[n % len(units)]
            house = services.house_create(actor=chief, unit=unit, address=f"{unit.name} 新建{n + 1}号")
            at = now - dt.timedelta(days=12 - n * 4, hours=rng.randrange(8))
            registrations.append(
                _send(house, _family(rng, region, n), kind="register", note=NOTES[n], n=n, at=at)
            )
        for registration in registrations[:2]:
            with clock.frozen(registration.created_at + dt.timedelta(days=1)):
                services.self_registration_approve(actor=chief, registration=registration)
        # Residents living away come home: one merged, one waiting, one refused with a reason.
        # (those living away first: "away" sorts before "present")
        away = list(
            Resident.objects.filter(
                in_grid,
                status__in=[ResidentStatus.AWAY, ResidentStatus.PRESENT],
                household__status=HouseholdStatus.ACTIVE,
            )
            .exclude(id_number="")
            .select_related("household__house")
            .order_by("status", "id")[:3]
        )
        returning = []
        for k, resident in enumerate(away):
            person = {
                "name": resident.name,
                "id_number": resident.id_number.plaintext(),  # the demo plays the resident, who knows it
                "relation": resident.relation,
                "phone": f"137{rng.randrange(10**8):08d}",
            }
            at = now - dt.timedelta(days=9 - k * 3, hours=rng.randrange(8))
            returning.append(
                _send(resident.household.house, [person], kind="register", note=NOTES[0], n=10 + k, at=at)
            )
        if returning:
            with clock.frozen(returning[0].created_at + dt.timedelta(hours=20)):
                services.self_registration_merge(actor=chief, registration=returning[0])
        if len(returning) > 2:
            with clock.frozen(returning[2].created_at + dt.timedelta(hours=5)):
                services.self_registration_reject(
                    actor=chief,
                    registration=returning[2],
                    reason="身份证号与户主信息不符，请到社区服务站当面办理。",
                )
        # Updates of one's own phone: waiting.
        present = list(
            Resident.objects.filter(in_grid, status=ResidentStatus.PRESENT)
            .exclude(id_number="")
            .select_related("household__house")
            .order_by("-id")[:2]
        )
        for k, resident in enumerate(present):
            person = {
                "name": resident.name,
                "id_number": resident.id_number.plaintext(),
                "relation": "",
                "phone": f"135{rng.randrange(10**8):08d}",
            }
            at = now - dt.timedelta(days=2 - k, hours=rng.randrange(8))
            _send(resident.household.house, [person], kind="update", note="换了手机号。", n=20 + k, at=at)
        corrections = _corrections(rng, chief, worker, in_grid, now)
    return {
        "self_registrations": SelfRegistration.objects.filter(idempotency_key__startswith=KEY).count(),
        "self_registrations_waiting": SelfRegistration.objects.filter(status="waiting").count(),
        "corrections": corrections,
        "corrections_waiting": RegistryCorrection.objects.filter(status="waiting").count(),
    }


def _corrections(rng: random.Random, chief, worker, in_grid, now: dt.datetime) -> int:
    """Corrections the grid worker proposed on visits: one applied, one refused, the rest waiting."""
    households = list(
        Household.objects.filter(in_grid, status=HouseholdStatus.ACTIVE)
        .select_related("head")
        .order_by("id")[:40]
    )
    made = []
    for k, household in enumerate(rng.sample(households, min(5, len(households)))):
        member = household.members.filter(status=ResidentStatus.PRESENT).exclude(pk=household.head_id).first()
        with clock.frozen(now - dt.timedelta(days=10 - 2 * k, hours=rng.randrange(8))):
            if member is not None and k % 2 == 0:
                changes, note = {"status": ResidentStatus.AWAY}, "走访得知已外出务工半年以上。"
                made.append(
                    services.correction_propose(
                        actor=worker, household=household, resident=member, changes=changes, note=note
                    )
                )
            elif household.head is not None:
                changes = {"phone": f"138{rng.randrange(10**8):08d}"}
                made.append(
                    services.correction_propose(
                        actor=worker,
                        household=household,
                        resident=household.head,
                        changes=changes,
                        note="户主更换了手机号。",
                    )
                )
    if made:
        with clock.frozen(made[0].created_at + dt.timedelta(days=1)):
            services.correction_approve(actor=chief, correction=made[0])
    if len(made) > 1:
        with clock.frozen(made[1].created_at + dt.timedelta(hours=6)):
            services.correction_reject(actor=chief, correction=made[1], reason="已电话核实，信息无误。")
    return len(made)
