"""Every change to the tree: create, rename/edit, move, retire. Each is atomic and audited."""

from __future__ import annotations

import re

from django.apps import apps
from django.db import transaction
from django.db.models import F, Max, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from civicgrid.audit.services import audit_record
from civicgrid.core import clock, paths, refcache, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.core.models import Territorial
from civicgrid.territory import geometry
from civicgrid.territory.models import PARENT_LEVEL, ROOT_LEVELS, Kind, Level, Territory

_TWELVE = re.compile(r"^\d{12}$")
_THREE = re.compile(r"^\d{3}$")


def check_code(*, level: str, code: str, parent: Territory | None) -> None:
    """National administrative division codes for city..community; grids and units extend their parent."""
    bad = None
    if level in (Level.GRID, Level.UNIT):
        if parent is None or not code.startswith(parent.code) or not _THREE.match(code[len(parent.code) :]):
            bad = _("A %(level)s code is its parent's code followed by three digits.") % {
                "level": Level(level).label
            }
    elif not _TWELVE.match(code):
        bad = _("The code must be the 12-digit administrative division code.")
    elif level == Level.CITY and not code.endswith("00000000"):
        bad = _("A city code ends in eight zeros.")
    elif level == Level.COUNTY and (not code.endswith("000000") or code.endswith("00000000")):
        bad = _("A county code has six significant digits and ends in six zeros.")
    elif level == Level.COUNTY and parent is not None and code[:4] != parent.code[:4]:
        bad = _("A county code starts with its city's four digits.")
    elif level == Level.TOWN and (code[:6] != parent.code[:6] or code[9:] != "000" or code[6:9] == "000"):
        bad = _("A town code is its county's six digits, three of its own, and 000.")
    elif level == Level.COMMUNITY and (code[:9] != parent.code[:9] or code[9:] == "000"):
        bad = _("A village or community code is its town's nine digits and three of its own.")
    if bad:
        raise ApplicationError(bad, field="code")


def _check_parent(level: str, parent: Territory | None) -> None:
    if parent is None:
        if level not in ROOT_LEVELS:
            raise ApplicationError(_("Only a city or a county can be a root of the tree."), field="parent")
        return
    if parent.retired_at is not None:
        raise ApplicationError(_("A retired node cannot receive new children."), field="parent")
    if PARENT_LEVEL[Level(level)] != parent.level:
        raise ApplicationError(
            _("A %(level)s cannot sit under a %(parent)s.")
            % {"level": Level(level).label, "parent": parent.get_level_display()},
            field="parent",
        )


def _next_path(parent: Territory | None) -> str:
    if parent is None:
        siblings = Territory.objects.filter(parent__isnull=True)
        prefix = ""
    else:
        # Lock the parent so two concurrent creations under it cannot take the same segment.
        Territory.objects.select_for_update().filter(pk=parent.pk).first()
        siblings = Territory.objects.filter(parent=parent)
        prefix = parent.path
    last = siblings.aggregate(m=Max("path"))["m"]
    n = int(last[-paths.STEP :]) + 1 if last else 1
    try:
        return prefix + paths.segment(n)
    except ValueError:
        raise ApplicationError(_("This node already has the largest number of children allowed.")) from None


def _apply_boundary(node: Territory, boundary: dict | None) -> None:
    bbox = geometry.validate_boundary(boundary)
    node.boundary = boundary or None
    node.min_lon, node.min_lat, node.max_lon, node.max_lat = bbox if bbox else (None, None, None, None)


def next_child_code(parent: Territory) -> str:
    """The next free three-digit extension of a community's or grid's code."""
    taken = {
        c[len(parent.code) :] for c in Territory.objects.filter(parent=parent).values_list("code", flat=True)
    }
    for n in range(1, 1000):
        if f"{n:03d}" not in taken:
            return f"{parent.code}{n:03d}"
    raise ApplicationError(_("No free code is left under this node."))


@transaction.atomic
def territory_create(
    *,
    actor,
    level: str,
    name: str,
    code: str | None = None,
    parent: Territory | None = None,
    kind: str = "",
    boundary: dict | None = None,
) -> Territory:
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("A name is required."), field="name")
    if level not in Level.values:
        raise ApplicationError(_("Unknown level."), field="level")
    _check_parent(level, parent)
    if not code and level in (Level.GRID, Level.UNIT) and parent is not None:
        code = next_child_code(parent)
    code = (code or "").strip()
    check_code(level=level, code=code, parent=parent)
    if Territory.objects.filter(code=code).exists():
        raise ApplicationError(
            _("Another node already has the code %(code)s.") % {"code": code}, field="code"
        )
    if kind not in Kind.values:
        raise ApplicationError(_("Unknown kind."), field="kind")
    node = Territory(parent=parent, level=level, kind=kind, code=code, name=name, path=_next_path(parent))
    _apply_boundary(node, boundary)
    node.save()
    audit_record(
        actor=actor,
        action="territory.create",
        obj=node,
        summary={"level": level, "code": code, "name": name, "parent": parent.code if parent else None},
    )
    return node


@transaction.atomic
def territory_update(
    *,
    actor,
    node: Territory,
    name: str | None = None,
    kind: str | None = None,
    boundary: dict | None | bool = False,
) -> Territory:
    """Rename, change the kind, or set the boundary (`boundary=None` clears it; False leaves it)."""
    diff = {}
    if name is not None:
        name = name.strip()
        if not name:
            raise ApplicationError(_("A name is required."), field="name")
        if name != node.name:
            diff["name"] = [node.name, name]
            node.name = name
    if kind is not None and kind != node.kind:
        if kind not in Kind.values:
            raise ApplicationError(_("Unknown kind."), field="kind")
        diff["kind"] = [node.kind, kind]
        node.kind = kind
    if boundary is not False:
        _apply_boundary(node, boundary)
        diff["boundary"] = "set" if boundary else "cleared"
    if diff:
        node.save()
        audit_record(actor=actor, action="territory.update", obj=node, summary=diff)
    return node


def territorial_models() -> list[type[Territorial]]:
    return [m for m in apps.get_models() if issubclass(m, Territorial)]


def _rewrite_prefix(model, field: str, old: str, new: str) -> int:
    """One UPDATE per table: every row under `old` gets `new` in place of that prefix."""
    return model.objects.filter(paths.subtree_q(field, old)).update(
        **{field: Concat(Value(new), Substr(F(field), len(old) + 1))}
    )


@transaction.atomic
def territory_move(*, actor, node: Territory, new_parent: Territory) -> Territory:
    """Re-parent a grid or unit. Households, residents and history stay attached; paths and codes follow."""
    node = Territory.objects.select_for_update().get(pk=node.pk)
    if node.level not in (Level.GRID, Level.UNIT):
        raise ApplicationError(
            _(
                "Only grids and units can be moved; towns and communities change "
                "through the official division codes."
            )
        )
    if new_parent.path.startswith(node.path):
        raise ApplicationError(_("A node cannot be moved under itself."), field="parent")
    if new_parent.pk == node.parent_id:
        raise ApplicationError(_("The node is already there."), field="parent")
    _check_parent(node.level, new_parent)
    old_path, old_code, old_parent = node.path, node.code, node.parent
    new_path = _next_path(new_parent)
    new_code = next_child_code(new_parent)
    _rewrite_prefix(Territory, "path", old_path, new_path)
    moved_rows = {"territory": Territory.objects.filter(paths.subtree_q("path", new_path)).count()}
    Territory.objects.filter(paths.subtree_q("path", new_path)).update(
        code=Concat(Value(new_code), Substr(F("code"), len(old_code) + 1))
    )
    Territory.objects.filter(pk=node.pk).update(parent=new_parent)
    for model in territorial_models():
        moved_rows[model._meta.label_lower] = _rewrite_prefix(model, "territory_path", old_path, new_path)
    refcache.changed()  # the rows above were rewritten in bulk, past the signals
    # Modules holding figures of the node's ancestors (the measures' roll-ups) move them, in this transaction.
    registry.publish("territory.moved", node=node, old_path=old_path, new_path=new_path)
    node.refresh_from_db()
    audit_record(
        actor=actor,
        action="territory.move",
        obj=node,
        summary={
            "from": old_parent.code if old_parent else None,
            "to": new_parent.code,
            "code": [old_code, new_code],
            "path": [old_path, new_path],
            "rows": moved_rows,
        },
    )
    return node


@transaction.atomic
def territory_retire(*, actor, node: Territory) -> Territory:
    """Retire a node whose subtree holds no active node: it stays for history, closed to new work."""
    if node.retired_at is not None:
        raise ApplicationError(_("This node is already retired."))
    if (
        Territory.objects.filter(paths.subtree_q("path", node.path), retired_at__isnull=True)
        .exclude(pk=node.pk)
        .exists()
    ):
        raise ApplicationError(_("Retire or move the nodes under it first."))
    node.retired_at = clock.now()
    node.save(update_fields=["retired_at"])
    audit_record(actor=actor, action="territory.retire", obj=node, summary={"code": node.code})
    return node


def territory_locate(*, lon: float, lat: float, level: str = Level.GRID) -> Territory | None:
    """The active node of `level` whose boundary covers the point (bounding boxes narrow it first)."""
    candidates = Territory.objects.filter(
        level=level,
        retired_at__isnull=True,
        min_lon__lte=lon,
        max_lon__gte=lon,
        min_lat__lte=lat,
        max_lat__gte=lat,
    )
    for node in candidates:
        if geometry.contains(node.boundary, lon, lat):
            return node
    return None
