"""The case workflow as data: each action, the states it may start from, and the permission it needs.

Services consult this table before doing anything, so a refused action changes nothing and says why.
The permission is checked at the node of the case's current tier (see `tier_path`): a grid chief acts
on cases at grid tier in their grid, not on the same case once it has climbed to the community.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from civicgrid.cases.models import TIER_ORDER, State, Tier
from civicgrid.core import paths

S = State


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    from_states: tuple[str, ...]
    permission: str
    needs_note: bool = False
    public: bool = True  # shown on the resident's timeline


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in (
        Action("respond", _("Accept and respond"), (S.RECEIVED,), "cases.handle"),
        Action(
            "escalate",
            _("Escalate to the tier above"),
            (S.RECEIVED, S.HANDLING),
            "cases.handle",
            needs_note=True,
        ),
        Action(
            "return", _("Return to the tier below"), (S.RECEIVED, S.HANDLING), "cases.handle", needs_note=True
        ),
        Action("dispatch", _("Dispatch to departments"), (S.RECEIVED, S.HANDLING), "cases.dispatch"),
        Action("resolve", _("Resolve"), (S.RECEIVED, S.HANDLING), "cases.handle", needs_note=True),
        Action("rate", _("Record the reporter's rating"), (S.RESOLVED,), "cases.rate"),
        Action(
            "merge", _("Merge into another case"), (S.RECEIVED, S.HANDLING), "cases.handle", needs_note=True
        ),
        Action(
            "request_extension",
            _("Ask for more time"),
            (S.RECEIVED, S.HANDLING),
            "cases.handle",
            needs_note=True,
            public=False,
        ),
        Action(
            "decide_extension",
            _("Decide on more time"),
            (S.RECEIVED, S.HANDLING),
            "cases.approve_extension",
            public=False,
        ),
        Action(
            "comment",
            _("Add an internal note"),
            (S.RECEIVED, S.HANDLING, S.RESOLVED),
            "cases.handle",
            needs_note=True,
            public=False,
        ),
    )
}

# The territory level whose node a tier acts from. Departments are overseen from the town.
TIER_LEVEL = {
    Tier.UNIT: "unit",
    Tier.GRID: "grid",
    Tier.COMMUNITY: "community",
    Tier.TOWN: "town",
    Tier.DEPARTMENT: "town",
}
LEVEL_DEPTH_ORDER = ["city", "county", "town", "community", "grid", "unit"]


def tier_rank(tier: str) -> int:
    return TIER_ORDER.index(Tier(tier))


def tier_above(tier: str) -> str | None:
    i = tier_rank(tier)
    return TIER_ORDER[i + 1] if i + 1 < len(TIER_ORDER) else None


def tier_below(tier: str) -> str | None:
    i = tier_rank(tier)
    return TIER_ORDER[i - 1] if i > 0 else None


def tier_path(case_path: str, tier: str, levels_by_path: dict[str, str]) -> str:
    """The path of the ancestor (or self) of the case's node at the tier's level.

    `levels_by_path` maps the case path and its ancestors to their levels. When the case sits above
    the tier's level (a case placed on a community, at unit tier), its own node acts.
    """
    wanted = TIER_LEVEL[Tier(tier)]
    for path in [*paths.ancestors(case_path), case_path]:
        if levels_by_path.get(path) == wanted:
            return path
    return case_path


def lowest_tier_for_level(level: str) -> str:
    """The lowest tier a case placed on a node of `level` can sit at."""
    return {"unit": Tier.UNIT, "grid": Tier.GRID, "community": Tier.COMMUNITY}.get(level, Tier.TOWN)
