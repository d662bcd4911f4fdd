"""Which rule applies where, and which households a rule reaches.

Rules are inherited down the tree. For each target (every household, one tag, closed cases) the rule
that applies at a node is the one on the deepest node among the node and its ancestors; an inactive
rule there switches the target off below it.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from civicgrid.core import clock, paths
from civicgrid.registry.models import Household, HouseholdStatus, ResidentStatus, Tagging, TagTarget
from civicgrid.visits.models import MEETS, RuleTarget, VisitRule


def rules_at(path: str) -> dict[tuple[str, int | None], VisitRule]:
    """The rule for each target at the node with `path` (active or not), keyed by `target_key`."""
    wanted = [*paths.ancestors(path), path]
    found: dict[tuple[str, int | None], VisitRule] = {}
    for rule in (
        VisitRule.objects.filter(territory_path__in=wanted)
        .select_related("tag", "territory")
        .order_by("territory_path")
    ):
        found[rule.target_key] = rule  # deeper rows come later and win
    return found


def rule_at(path: str, target: str, tag_id: int | None = None) -> VisitRule | None:
    """The active rule for one target at a node, or None when no rule (or an inactive one) applies."""
    rule = rules_at(path).get((target, tag_id))
    return rule if rule is not None and rule.active else None


def overriding_roots(rule: VisitRule) -> list[str]:
    """Subtrees below the rule's node where a rule for the same target takes over."""
    lower = VisitRule.objects.filter(
        paths.subtree_q("territory_path", rule.territory_path), target=rule.target, tag_id=rule.tag_id
    ).exclude(territory_path=rule.territory_path)
    return paths.minimal_roots(list(lower.values_list("territory_path", flat=True)))


def live_taggings(tag_id: int) -> QuerySet:
    today = clock.today()
    return Tagging.objects.filter(tag_id=tag_id, since__lte=today).filter(
        Q(until__isnull=True) | Q(until__gte=today)
    )


def households_reached(rule: VisitRule) -> QuerySet:
    """Active households under the rule's node that the rule applies to (not overridden, tag held)."""
    qs = Household.objects.filter(
        paths.subtree_q("territory_path", rule.territory_path), status=HouseholdStatus.ACTIVE
    )
    for root in overriding_roots(rule):
        qs = qs.exclude(paths.subtree_q("territory_path", root))
    if rule.target == RuleTarget.TAG:
        live = live_taggings(rule.tag_id)
        if rule.tag.target == TagTarget.HOUSEHOLD:
            qs = qs.filter(pk__in=live.filter(household__isnull=False).values("household_id"))
        else:
            present = live.filter(resident__status__in=[ResidentStatus.PRESENT, ResidentStatus.AWAY])
            qs = qs.filter(pk__in=present.values("resident__household_id"))
    return qs


def kinds_meeting(kind: str) -> list[str]:
    """The kinds of visit that meet a due row of `kind`."""
    return [k for k, met in MEETS.items() if kind in met]
