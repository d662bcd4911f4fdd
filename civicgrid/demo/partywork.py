"""Demo party work: members of the first grid paired with contact households, six weeks of weekly
contacts, one member who moved away and handed over, and in-service party members reporting to the
first community with pledges and a year of services.

Everything goes through the party-work services under a frozen clock on the day it happened, so
weeks, months and the "not contacted this week" lists are what the product would have produced.
This week is left half done, so the lists and the reminder sweep have something to show. Running
it twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.models import RoleAssignment
from civicgrid.accounts.roles import Role
from civicgrid.accounts.services import role_assign, user_create
from civicgrid.core import clock, paths
from civicgrid.demo.generator import DEMO_PASSWORD
from civicgrid.orgs.models import PartyMembership
from civicgrid.partywork import services, services_inservice
from civicgrid.partywork.models import ContactMethod, ContactPairing, InservicePartyMember, PledgeCategory
from civicgrid.partywork.periods import week_of
from civicgrid.registry.models import Household, HouseholdStatus
from civicgrid.territory.models import Level, Territory

WEEKS = 6
# (username, households paired at the start); the first is the demo's own party-member login.
MEMBERS = [("party_member", 8), ("party_member_2", 14), ("party_member_3", 11), ("party_member_4", 5)]
MOVED_AWAY = "party_member_4"  # moved away three weeks ago; their households went to party_member
NOTES = [
    "",
    "老人身体不错，叮嘱注意天冷保暖。",
    "孩子在外务工，老人独居，帮忙交了电费。",
    "了解到家里想申请临时救助，已告知网格长。",
    "宣传了防诈骗知识。",
    "反映楼道灯坏了，已转给网格员。",
]
METHODS = [
    (ContactMethod.VISIT, 50),
    (ContactMethod.PHONE, 25),
    (ContactMethod.WECHAT, 20),
    (ContactMethod.OTHER, 5),
]
PLEDGES = [
    (PledgeCategory.TUTORING, "周末为社区孩子辅导作业"),
    (PledgeCategory.LEGAL_ADVICE, "每月一次法律咨询"),
    (PledgeCategory.HEALTH, "每季度一次义诊"),
    (PledgeCategory.CLEANING, "参加周末环境整治"),
    (PledgeCategory.ELDERLY_CARE, "看望独居老人"),
    (PledgeCategory.REPAIRS, "帮老人修理水电"),
]
WORKPLACES = ["县人民医院", "县第一中学", "县税务局", "县供电局", "县法院", "县自然资源局"]


def _local(day: dt.date, minutes: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)) + dt.timedelta(minutes=minutes))


def _pick(rng: random.Random, weighted):
    items, weights = zip(*weighted, strict=True)
    return rng.choices(items, weights=weights)[0]


def _first(level: str, under: Territory) -> Territory | None:
    return (
        Territory.objects.filter(paths.subtree_q("path", under.path), level=level, retired_at__isnull=True)
        .order_by("path")
        .first()
    )


def _members(grid: Territory, since: dt.datetime) -> dict:
    """The demo's party-member login, and three more from the grid party branch's members."""
    User = get_user_model()
    found = {}
    existing = User.objects.filter(username="party_member").first()
    if existing is not None:
        found["party_member"] = existing
    names = list(
        PartyMembership.objects.filter(paths.subtree_q("territory_path", grid.path), inservice=False)
        .select_related("resident")
        .order_by("pk")
        .values_list("resident__name", flat=True)[:5]
    )
    for i, (username, _n) in enumerate(MEMBERS[1:]):
        user = User.objects.filter(username=username).first()
        if user is None:
            name = names[i] if i < len(names) else f"党员{i + 2}"
            user = user_create(actor=None, username=username, password=DEMO_PASSWORD, display_name=name)
            role_assign(actor=None, user=user, role=Role.PARTY_MEMBER, territory=grid)
        found[username] = user
    RoleAssignment.objects.filter(user__in=found.values(), valid_from__gt=since).update(valid_from=since)
    return found


def _in_post_since(usernames: list[str], since: dt.datetime) -> dict:
    users = {u.username: u for u in get_user_model().objects.filter(username__in=usernames)}
    RoleAssignment.objects.filter(user__in=users.values(), valid_from__gt=since).update(valid_from=since)
    return users


def _contacts(rng: random.Random, pairings: list[ContactPairing], start: dt.date, end: dt.date) -> int:
    """Most households contacted once in a week, some weeks missed; the current week about half done."""
    made = 0
    this_week = week_of(clock.today()).start
    monday = week_of(start).start
    while monday <= end:
        chance = 0.45 if monday == this_week else 0.82
        for pairing in pairings:
            first = max(monday, pairing.since, start)
            last = min(monday + dt.timedelta(days=6), end)
            if pairing.until is not None:
                last = min(last, pairing.until - dt.timedelta(days=1))
            if first > last or rng.random() > chance:
                continue
            day = first + dt.timedelta(days=rng.randrange((last - first).days + 1))
            with clock.frozen(_local(day, rng.randrange(600))):
                services.contact_log_create(
                    actor=pairing.member, pairing=pairing, method=_pick(rng, METHODS), note=rng.choice(NOTES)
                )
            made += 1
        monday += dt.timedelta(days=7)
    return made


def _pairings(rng, chief, members: dict, households: list[Household], start: dt.date, today: dt.date) -> dict:
    counts = {"pairings": 0, "contacts": 0, "handed_over": 0}
    pool = list(households)
    made: list[ContactPairing] = []
    with clock.frozen(_local(start, 0)):
        for username, n in MEMBERS:
            member = members.get(username)
            if member is None or not pool:
                continue
            chosen, pool = pool[:n], pool[n:]
            made += services.contact_pairing_create(actor=chief, member=member, households=chosen).pairings
    moved_on = today - dt.timedelta(days=21)
    # Contacts up to the move, then the hand-over, then the rest with the new pairings.
    counts["contacts"] += _contacts(rng, made, start, moved_on - dt.timedelta(days=1))
    if MOVED_AWAY in members and "party_member" in members:
        with clock.frozen(_local(moved_on, 60)):
            result = services.contact_pairing_hand_over(
                actor=chief, member=members[MOVED_AWAY], to_member=members["party_member"]
            )
        counts["handed_over"] = len(result.made)
        made = [p for p in made if p.member_id != members[MOVED_AWAY].pk] + result.made
    for p in made:
        p.refresh_from_db()
    counts["contacts"] += _contacts(rng, [p for p in made if p.until is None], moved_on, today)
    counts["pairings"] = ContactPairing.objects.count()
    return counts


def _inservice(rng: random.Random, community: Territory, secretary, today: dt.date) -> dict:
    counts = {"inservice_members": 0, "pledges": 0, "services": 0}
    # Reported early this year; early in January, late last year, so there are services to show.
    reported_on = (
        dt.date(today.year, 1, 21) if today.timetuple().tm_yday > 60 else today - dt.timedelta(days=300)
    )
    reported: list[InservicePartyMember] = []
    login = get_user_model().objects.filter(username="inservice_party_member").first()
    with clock.frozen(_local(reported_on, 0)):
        if login is not None:
            reported.append(
                services_inservice.inservice_party_member_register(
                    actor=login, community=community, workplace=WORKPLACES[0], user=login
                )
            )
        memberships = PartyMembership.objects.filter(
            paths.subtree_q("territory_path", community.path), inservice=True
        ).select_related("resident")
        for i, m in enumerate(memberships.order_by("pk")[:8]):
            reported.append(
                services_inservice.inservice_party_member_register(
                    actor=secretary,
                    community=community,
                    name=m.resident.name,
                    workplace=m.workplace or WORKPLACES[(i + 1) % len(WORKPLACES)],
                    membership=m,
                )
            )
    for member in reported:
        acting = member.user or secretary
        with clock.frozen(_local(reported_on + dt.timedelta(days=5), 0)):
            pledges = [
                services_inservice.pledge_create(actor=acting, member=member, category=c, what=w)
                for c, w in rng.sample(PLEDGES, 2)
            ]
        counts["pledges"] += len(pledges)
        span = (today - reported_on).days - 10
        for _ in range(rng.randrange(1, 6)):
            day = reported_on + dt.timedelta(days=10 + rng.randrange(max(1, span)))
            pledge = rng.choice(pledges)
            with clock.frozen(_local(day, 480)):
                record = services_inservice.service_record_create(
                    actor=acting,
                    member=member,
                    done_on=day,
                    hours=Decimal(rng.choice(["1", "1.5", "2", "3", "4"])),
                    what=pledge.what,
                    pledge=pledge,
                )
                # The community confirms what members record, except the last few days' records.
                if record.status == "pending" and (today - day).days > 10:
                    services_inservice.service_record_decide(actor=secretary, record=record, confirm=True)
            counts["services"] += 1
    if reported and reported[0].user is not None:  # one the community has yet to confirm
        day = today - dt.timedelta(days=2)
        with clock.frozen(_local(day, 540)):
            services_inservice.service_record_create(
                actor=reported[0].user, member=reported[0], done_on=day, hours=Decimal(2), what="社区义诊"
            )
        counts["services"] += 1
    counts["inservice_members"] = len(reported)
    return counts


def load(*, seed: int = 1) -> dict[str, int]:
    if ContactPairing.objects.exists() or InservicePartyMember.objects.exists():
        return {}
    admin = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
    grid_chief = get_user_model().objects.filter(username="grid_chief").first()
    if admin is None or grid_chief is None:
        return {}
    grid = Territory.objects.filter(
        pk__in=RoleAssignment.objects.filter(user=grid_chief, role=Role.GRID_CHIEF).values("territory_id")
    ).first()
    community = grid.parent if grid is not None else None
    if grid is None or community is None or community.level != Level.COMMUNITY:
        return {}
    rng = random.Random(seed * 4241)
    today = clock.today()
    start = week_of(today - dt.timedelta(days=7 * (WEEKS - 1))).start
    since = _local(today - dt.timedelta(days=400), 0)  # in the story, everyone has been in post a while
    with transaction.atomic():
        members = _members(grid, since)
        staff = _in_post_since(["grid_chief", "community_secretary", "inservice_party_member"], since)
        staff.setdefault("community_secretary", admin)
        households = list(
            Household.objects.filter(
                paths.subtree_q("territory_path", grid.path), status=HouseholdStatus.ACTIVE
            ).order_by("territory_path", "pk")[: sum(n for _u, n in MEMBERS) + 12]
        )
        counts = _pairings(rng, grid_chief, members, households, start, today)
        counts.update(_inservice(rng, community, staff["community_secretary"], today))
        counts["party_member_logins"] = len(members)
    return counts
