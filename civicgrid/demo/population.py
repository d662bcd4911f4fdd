"""Households and residents for demo data, built from plain Python and one random.Random.

Nothing here touches the database: the loader turns these plans into rows. The figures follow the
2020 census (household size 2.62; 60+ 18.70 %, 65+ 13.50 %, 0-14 17.95 %; minorities 8.89 %; about a
quarter of people living away from their registered residence) and the shares of special groups in
DESIGN.md. Villages hold more elderly people and left-behind children; urban communities more
floating residents.
"""

from __future__ import annotations

import datetime as dt
import random
from array import array
from dataclasses import dataclass, field

from civicgrid.core import idcard
from civicgrid.demo import names
from civicgrid.registry.models import Relation, RelocationType, ResidenceType, ResidentStatus

# Ages are counted on this fixed day, so one seed gives the same people (and ID numbers) on any day.
REFERENCE_DATE = dt.date(2026, 1, 1)

PHONE_PREFIXES = tuple(
    [f"13{d}" for d in range(10)]
    + [f"15{d}" for d in (0, 1, 2, 3, 5, 6, 7, 8, 9)]
    + [f"18{d}" for d in range(10)]
    + ["191", "193", "195", "197", "198", "199"]
)

MALE, FEMALE = "male", "female"
HEAD, SPOUSE, CHILD, PARENT, GRANDCHILD, CHILD_IN_LAW, OTHER = (
    Relation.HEAD.value,
    Relation.SPOUSE.value,
    Relation.CHILD.value,
    Relation.PARENT.value,
    Relation.GRANDCHILD.value,
    Relation.CHILD_IN_LAW.value,
    Relation.OTHER.value,
)

# Household shapes and their weights. Tuned so the whole population lands on the census figures.
VILLAGE_SHAPES = (
    ("elderly_alone", 7),
    ("elderly_couple", 8),
    ("single_adult", 13),
    ("couple_adult", 16),
    ("nuclear", 22),
    ("three_generations", 11),
    ("left_behind", 8),
    ("elder_with_son", 5),
)
URBAN_SHAPES = (
    ("elderly_alone", 7),
    ("elderly_couple", 8),
    ("single_young", 16),
    ("couple_young", 12),
    ("nuclear", 25),
    ("three_generations", 9),
    ("middle_couple", 11),
    ("shared_rental", 5),
)
# In a resettlement village, the share of households that were moved there, and when.
RELOCATED_SHARE = 0.12
RELOCATION_YEARS = {
    RelocationType.RESERVOIR.value: (2006, 2015),
    RelocationType.ECOLOGICAL.value: (2012, 2019),
    RelocationType.POVERTY.value: (2016, 2020),
}

# Person tags: (code, lowest age, highest age, gender or None, chance).
PERSON_TAG_CHANCES = (
    ("veteran", 24, 104, MALE, 0.025),
    ("serious_illness", 40, 104, None, 0.012),
    ("mental_health", 16, 104, None, 0.005),
    ("drug_rehabilitation", 18, 55, None, 0.0008),
    ("community_correction", 18, 65, None, 0.0006),
    ("released_after_sentence", 20, 65, MALE, 0.002),
)
# Chance of a disability by age band (about 6 % of everyone).
DISABILITY_BY_AGE = ((15, 0.015), (45, 0.035), (60, 0.07), (75, 0.13), (200, 0.22))

# Chance that a household of this shape lives here without being registered here (floating).
FLOATING_CHANCE = {
    "village": {"single_adult": 0.35, "couple_adult": 0.35, "nuclear": 0.24},
    "urban": {
        "single_young": 0.80,
        "couple_young": 0.65,
        "nuclear": 0.48,
        "three_generations": 0.15,
        "middle_couple": 0.20,
        "shared_rental": 1.0,
        "elderly_couple": 0.05,
        "elderly_alone": 0.03,
    },
}


@dataclass(slots=True)
class PartyPlan:
    joined_on: dt.date
    inservice: bool = False
    workplace: str = ""


@dataclass(slots=True)
class PersonPlan:
    name: str
    gender: str
    birth_date: dt.date
    ethnicity: str
    relation: str
    id_number: str
    phone: str = ""
    residence_type: str = ResidenceType.REGISTERED.value
    relocation_type: str = ""
    status: str = ResidentStatus.PRESENT.value
    moved_in: dt.date = REFERENCE_DATE
    tags: list[str] = field(default_factory=list)
    party: PartyPlan | None = None

    @property
    def age(self) -> int:
        b, r = self.birth_date, REFERENCE_DATE
        return r.year - b.year - ((r.month, r.day) < (b.month, b.day))


@dataclass(slots=True)
class HouseholdPlan:
    shape: str
    members: list[PersonPlan]
    tags: list[str] = field(default_factory=list)
    number: str = ""

    @property
    def head(self) -> PersonPlan:
        return self.members[0]


class IdAllocator:
    """Synthetic, checksum-valid and unique ID numbers for one region.

    The three-digit order code is unique per birth date and sex (500 each); a full day moves the
    birth date on by one day. The state is one small array, whatever the population.
    """

    SPAN_DAYS = 125 * 366

    def __init__(self, region: str, rng: random.Random):
        self.region = region
        self.base = REFERENCE_DATE.toordinal() - self.SPAN_DAYS
        self.used = array("H", bytes(2 * 2 * (self.SPAN_DAYS + 400)))
        self.salt = rng.randrange(500)
        self.stride, self.offset = 1, 0

    def fork(self, parts: int, part: int) -> IdAllocator:
        """An allocator for one of `parts` independent streams: the order codes are dealt out between
        them (part, part + parts, …), so numbers from different streams never collide."""
        other = IdAllocator.__new__(IdAllocator)
        other.region, other.base, other.salt = self.region, self.base, self.salt
        other.used = array("H", bytes(len(self.used) * 2))
        other.stride, other.offset = parts, part
        return other

    def make(self, born: dt.date, male: bool) -> tuple[str, dt.date]:
        per_slot = 500 // self.stride
        while True:
            slot = (born.toordinal() - self.base) * 2 + male
            count = self.used[slot]
            if count < per_slot:
                break
            born += dt.timedelta(days=1)
        self.used[slot] = count + 1
        order = count * self.stride + self.offset
        sequence = (born.toordinal() * 37 + self.salt + order * 7) % 500  # 7 is coprime with 500
        return idcard.make(self.region, born, sequence, male=male), born


class PopulationMaker:
    def __init__(self, rng: random.Random, ids: IdAllocator):
        self.rng = rng
        self.ids = ids

    # --- people

    def person(self, family: str, gender: str, age: int, relation: str, ethnicity: str) -> PersonPlan:
        rng = self.rng
        age = max(0, min(age, 104))
        born = REFERENCE_DATE - dt.timedelta(days=int(age * 365.25) + rng.randint(1, 364))
        number, born = self.ids.make(born, gender == MALE)
        name = names.full_name(rng, family, gender, born.year)
        return PersonPlan(
            name=name,
            gender=gender,
            birth_date=born,
            ethnicity=ethnicity,
            relation=relation,
            id_number=number,
            phone=self.phone(age),
        )

    def old_age(self, lo: int, hi: int, mode: int) -> int:
        """An older person's age: fewer people at each higher age."""
        return int(self.rng.triangular(lo, hi + 1, mode))

    def phone(self, age: int) -> str:
        rng = self.rng
        chance = 0.0 if age < 12 else 0.35 if age < 15 else 0.95 if age < 65 else 0.8 if age < 75 else 0.5
        if rng.random() >= chance:
            return ""
        return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"

    def spouse_of(self, head: PersonPlan, ethnicity: str, relation: str = SPOUSE) -> PersonPlan:
        rng = self.rng
        gender = FEMALE if head.gender == MALE else MALE
        gap = rng.randint(-1, 5)
        age = head.age - gap if gender == FEMALE else head.age + gap
        eth = (
            ethnicity
            if (ethnicity != names.HAN and rng.random() < 0.6)
            else (names.minority(rng) if rng.random() < 0.03 else names.HAN)
        )
        return self.person(names.surname(rng), gender, max(age, 20), relation, eth)

    def child_of(self, family: str, father_eth: str, mother_eth: str, age: int, relation: str) -> PersonPlan:
        rng = self.rng
        eth = father_eth
        if father_eth == names.HAN and mother_eth != names.HAN and rng.random() < 0.7:
            eth = mother_eth
        return self.person(family, rng.choice((MALE, FEMALE)), age, relation, eth)

    # --- households

    def household(self, setting: str, relocation: str = "") -> HouseholdPlan:
        """A household for a "village" or an "urban" community, with floating, away and tags decided.

        `relocation` names the kind of resettlement site a village is, if it is one.
        """
        rng = self.rng
        shapes = VILLAGE_SHAPES if setting == "village" else URBAN_SHAPES
        shape = rng.choices([s for s, _ in shapes], weights=[w for _, w in shapes])[0]
        family = names.surname(rng)
        ethnicity = names.minority(rng) if rng.random() < 0.087 else names.HAN
        members = getattr(self, f"_{shape}")(family, ethnicity, setting)
        plan = HouseholdPlan(shape=shape, members=members)
        if rng.random() < FLOATING_CHANCE[setting].get(shape, 0.0):
            for m in members:
                m.residence_type = ResidenceType.FLOATING.value
        elif relocation and rng.random() < RELOCATED_SHARE:
            for m in members:
                m.residence_type = ResidenceType.RELOCATED.value
                m.relocation_type = relocation
            plan.tags.append("relocated_household")
        self._moves(plan, relocation)
        self._tag(plan, setting)
        return plan

    def _couple(self, family: str, ethnicity: str, head_age: int, male_head: float = 0.82):
        head = self.person(family, MALE, head_age, HEAD, ethnicity)
        wife = self.spouse_of(head, ethnicity)
        if self.rng.random() > male_head:  # she is registered as head; he is her spouse
            head.relation, wife.relation = SPOUSE, HEAD
            return [wife, head], head, wife
        return [head, wife], head, wife

    def _children(self, family, father, mother, count: int, max_age: int, relation=CHILD):
        max_age = max(0, max_age)
        return [
            self.child_of(family, father.ethnicity, mother.ethnicity, self.rng.randint(0, max_age), relation)
            for _ in range(count)
        ]

    def _elderly_alone(self, family, ethnicity, setting):
        rng = self.rng
        gender = FEMALE if rng.random() < 0.6 else MALE
        who = self.person(
            family if gender == MALE else names.surname(rng),
            gender,
            self.old_age(62, 95, 68),
            HEAD,
            ethnicity,
        )
        return [who]

    def _elderly_couple(self, family, ethnicity, setting):
        return self._couple(family, ethnicity, self.old_age(60, 90, 64))[0]

    def _couple_shape(self, family, ethnicity, lo, hi):
        return self._couple(family, ethnicity, self.rng.randint(lo, hi))[0]

    def _single_adult(self, family, ethnicity, setting):
        rng = self.rng
        gender = MALE if rng.random() < 0.7 else FEMALE
        return [self.person(family, gender, rng.randint(20, 59), HEAD, ethnicity)]

    def _single_young(self, family, ethnicity, setting):
        rng = self.rng
        return [self.person(family, rng.choice((MALE, FEMALE)), rng.randint(19, 38), HEAD, ethnicity)]

    def _middle_couple(self, family, ethnicity, setting):
        return self._couple_shape(family, ethnicity, 45, 62)

    def _couple_young(self, family, ethnicity, setting):
        return self._couple_shape(family, ethnicity, 23, 38)

    def _couple_adult(self, family, ethnicity, setting):
        return self._couple_shape(family, ethnicity, 23, 59)

    def _nuclear(self, family, ethnicity, setting):
        rng = self.rng
        members, father, mother = self._couple(family, ethnicity, rng.randint(25, 52))
        count = rng.choices((1, 2, 3), weights=(55, 37, 8) if setting == "village" else (70, 27, 3))[0]
        members += self._children(family, father, mother, count, min(father.age - 22, 22))
        if setting == "village" and rng.random() < 0.3 and father.age < 50:
            (father if rng.random() < 0.8 else mother).status = ResidentStatus.AWAY.value
        return members

    def _three_generations(self, family, ethnicity, setting):
        rng = self.rng
        elder_age = self.old_age(54, 88, 60)
        middle_age = max(24, elder_age - rng.randint(24, 32))
        if rng.random() < 0.5:
            # the elder is the head: son "child", his wife "child_in_law", their children "grandchild"
            members, grandfather, grandmother = self._couple(family, ethnicity, elder_age)
            if rng.random() < 0.25:
                members.remove(grandfather if members[0] is grandfather else grandmother)
                members[0].relation = HEAD
            son = self.person(family, MALE, middle_age, CHILD, grandfather.ethnicity)
            wife = self.spouse_of(son, son.ethnicity, relation=CHILD_IN_LAW)
            kids = self._children(family, son, wife, rng.choice((1, 1, 2)), min(son.age - 22, 18), GRANDCHILD)
            return members + [son, wife] + kids
        members, father, mother = self._couple(family, ethnicity, middle_age)
        parents = [self.person(family, MALE, elder_age, PARENT, ethnicity)]
        if rng.random() < 0.7:
            parents.append(self.spouse_of(parents[0], ethnicity, relation=PARENT))
        kids = self._children(family, father, mother, rng.choice((1, 1, 2)), min(father.age - 22, 18))
        return members + kids + parents

    def _left_behind(self, family, ethnicity, setting):
        """Grandparents at home, the parents working away, the grandchildren left behind."""
        rng = self.rng
        members, grandfather, grandmother = self._couple(family, ethnicity, rng.randint(55, 78))
        if rng.random() < 0.25:
            members.remove(grandfather if members[0] is grandfather else grandmother)
            members[0].relation = HEAD
        son = self.person(
            family, MALE, max(24, grandfather.age - rng.randint(23, 30)), CHILD, grandfather.ethnicity
        )
        wife = self.spouse_of(son, son.ethnicity, relation=CHILD_IN_LAW)
        son.status = wife.status = ResidentStatus.AWAY.value
        kids = self._children(
            family, son, wife, rng.choice((1, 1, 1, 2, 2, 3)), min(son.age - 22, 15), GRANDCHILD
        )
        for kid in kids:
            if kid.age < 16:
                kid.tags.append("left_behind_child")
        return members + [son, wife] + kids

    def _elder_with_son(self, family, ethnicity, setting):
        rng = self.rng
        gender = FEMALE if rng.random() < 0.6 else MALE
        parent = self.person(
            family if gender == MALE else names.surname(rng),
            gender,
            self.old_age(66, 94, 72),
            HEAD,
            ethnicity,
        )
        son = self.person(family, MALE, max(30, parent.age - rng.randint(25, 34)), CHILD, ethnicity)
        return [parent, son]

    def _shared_rental(self, family, ethnicity, setting):
        rng = self.rng
        people = [self.person(family, rng.choice((MALE, FEMALE)), rng.randint(19, 36), HEAD, ethnicity)]
        for _ in range(rng.choice((1, 1, 2))):
            eth = names.minority(rng) if rng.random() < 0.07 else names.HAN
            people.append(
                self.person(names.surname(rng), rng.choice((MALE, FEMALE)), rng.randint(19, 36), OTHER, eth)
            )
        return people

    # --- dates

    def _moves(self, plan: HouseholdPlan, relocation: str) -> None:
        """When each member moved in: floating people recently, registered ones long ago or at birth."""
        rng = self.rng
        if plan.head.residence_type == ResidenceType.FLOATING:
            since = REFERENCE_DATE - dt.timedelta(days=rng.randint(20, 8 * 365))
        elif plan.head.residence_type == ResidenceType.RELOCATED:
            first, last = RELOCATION_YEARS[relocation]
            since = dt.date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))
        else:
            since = REFERENCE_DATE - dt.timedelta(days=rng.randint(3 * 365, 30 * 365))
        for m in plan.members:
            m.moved_in = max(since, m.birth_date)

    # --- special groups

    def _tag(self, plan: HouseholdPlan, setting: str) -> None:
        rng = self.rng
        floating = plan.head.residence_type == ResidenceType.FLOATING
        disabled = False
        for m in plan.members:
            age = m.age
            if age >= 60 and plan.shape == "elderly_alone":
                if rng.random() < 0.3:
                    m.tags.append("lonely_elderly")
                    if rng.random() < 0.4:
                        m.tags.append("extreme_poverty")
                else:
                    m.tags.append("empty_nest_elderly")
            elif age >= 60 and plan.shape == "elderly_couple":
                m.tags.append("empty_nest_elderly")
            chance = next(c for limit, c in DISABILITY_BY_AGE if age < limit)
            if rng.random() < chance:
                m.tags.append("disabled")
                disabled = True
            for code, lo, hi, gender, p in PERSON_TAG_CHANCES:
                if lo <= age <= hi and (gender is None or m.gender == gender) and rng.random() < p:
                    m.tags.append(code)
            if (
                m.gender == FEMALE
                and 20 <= age <= 40
                and m.relation in (SPOUSE, CHILD_IN_LAW, HEAD)
                and len(plan.members) > 1
                and rng.random() < 0.04
            ):
                m.tags.append("pregnant")
        low_income = (0.02 if setting == "village" else 0.015) + (0.06 if disabled else 0.0)
        if plan.shape in ("elderly_alone", "elder_with_son") and "extreme_poverty" not in plan.head.tags:
            low_income += 0.04
        if floating:
            low_income *= 0.2
        if rng.random() < low_income:
            plan.tags.append("low_income")
        if rng.random() < 0.008:
            plan.tags.append("military_family")
