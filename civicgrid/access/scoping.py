from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from civicgrid.accounts.models import RoleAssignment
from civicgrid.audit.services import data_access_record
from civicgrid.core import paths, registry
from civicgrid.core.errors import ApplicationError
from civicgrid.core.protected import ProtectedValue

_CACHE_ATTR = "_civicgrid_grants"


@dataclass(frozen=True)
class Grant:
    role: str
    path: str
    organisation_id: int | None
    perms: frozenset[str]


def grants(user) -> list[Grant]:
    """The user's active assignments with their permissions, read once per request."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    table = registry.role_permissions()
    rows = (
        RoleAssignment.objects.active()
        .filter(user=user)
        .values_list("role", "territory_path", "organisation_id")
    )
    # An empty path would cover everything; only a broken write makes one, so it grants nothing.
    result = [Grant(role, path, org, table.get(role, frozenset())) for role, path, org in rows if path]
    setattr(user, _CACHE_ATTR, result)
    return result


def forget(user) -> None:
    """Drop the per-request cache (after an assignment changes in the same request or test)."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def _is_superuser(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active and user.is_superuser)


def covers(user, path: str) -> bool:
    if _is_superuser(user):
        return True
    return any(paths.is_within(path, g.path) for g in grants(user))


def perms_at(user, path: str) -> frozenset[str]:
    if _is_superuser(user):
        return frozenset(p.code for p in registry.permissions())
    result: set[str] = set()
    for g in grants(user):
        if paths.is_within(path, g.path):
            result |= g.perms
    return frozenset(result)


def has_perm_at(user, perm: str, path: str) -> bool:
    return perm in perms_at(user, path)


def has_anywhere(user, perm: str) -> bool:
    return _is_superuser(user) or any(perm in g.perms for g in grants(user))


def held_anywhere(user) -> frozenset[str]:
    """Every permission the user holds somewhere (what the menu offers)."""
    if _is_superuser(user):
        return frozenset(p.code for p in registry.permissions())
    return frozenset().union(*(g.perms for g in grants(user)))


def roots(user, perm: str | None = None) -> list[str] | None:
    """Paths of the subtrees where the user holds `perm` (any role when None); None means everywhere."""
    if _is_superuser(user):
        return None
    return paths.minimal_roots([g.path for g in grants(user) if perm is None or perm in g.perms])


def organisations(user, perm: str | None = None) -> set[int]:
    """Organisations (departments) the user acts for, through assignments holding `perm` (any when None)."""
    return {
        g.organisation_id for g in grants(user) if g.organisation_id and (perm is None or perm in g.perms)
    }


def scope(
    user, qs: QuerySet, perm: str, field: str = "territory_path", organisation_field: str | None = None
) -> QuerySet:
    """`qs` narrowed to the rows under the subtrees where the user holds `perm`.

    With `organisation_field`, rows linked to an organisation the user acts for (with `perm`) are
    visible too, wherever they sit: a department handler sees what was dispatched to the department.
    """
    where = roots(user, perm)
    if where is None:
        return qs
    if organisation_field:
        # An assignment made for a department reaches these rows through the department, not its node.
        where = [g.path for g in grants(user) if not g.organisation_id and perm in g.perms]
    q = paths.any_subtree_q(field, where)
    if organisation_field:
        orgs = organisations(user, perm)
        if orgs:
            through = Q(**{f"{organisation_field}__in": orgs})
            if "__" in organisation_field:
                # Across a relation, as a subquery: a join would repeat rows and need a DISTINCT over
                # the whole match before any LIMIT (seconds for a department with a busy history).
                through = Q(pk__in=_linked_through(qs.model, organisation_field, orgs))
            q |= through
    return qs.filter(q)


def _linked_through(model, organisation_field: str, orgs: set[int]):
    """Ids of `model`'s rows linked to `orgs` through `organisation_field` ("assignments__department").

    Read from the linking table itself when the first step is a reverse foreign key, so the planner
    can start from the organisation's index.
    """
    first, _, rest = organisation_field.partition("__")
    relation = model._meta.get_field(first)
    if relation.one_to_many and relation.auto_created:
        links = relation.related_model._base_manager.filter(**{f"{rest}__in": orgs})
        return links.values(relation.field.attname)
    return model._base_manager.filter(**{f"{organisation_field}__in": orgs}).values("pk")


def check(user, perm: str, path: str, *, organisation_ids: frozenset[int] | set[int] | None = None) -> None:
    """404 outside the user's subtrees (and organisations), 403 inside them without the permission.

    `organisation_ids` (even empty) says the object is linked to organisations, like a case to the
    departments it was dispatched to: an assignment made for a department reaches it only through them.
    """
    linked = organisation_ids is not None
    acting_for = organisations(user) & set(organisation_ids or ())
    held = [g for g in grants(user) if not (linked and g.organisation_id)]
    superuser = _is_superuser(user)
    if not superuser and not any(paths.is_within(path, g.path) for g in held) and not acting_for:
        raise Http404(_("Not found."))
    if superuser or any(perm in g.perms and paths.is_within(path, g.path) for g in held):
        return
    if acting_for & organisations(user, perm):
        return
    raise PermissionDenied(_("You do not have permission to do this here."))


def own(user, qs: QuerySet, field: str = "user") -> QuerySet:
    """`qs` narrowed to the rows that are the user's own, wherever they sit in the tree: an inbox, a
    print asked for, a member's own pairings. Nobody else's exist, whatever roles the user holds;
    an anonymous user has none."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    return qs.filter(**{field: user.pk})


def get_for(user, qs: QuerySet, perm: str, field: str = "territory_path", **lookup) -> models.Model:
    """One object by `lookup`, after the 404/403 rule. Anonymous users find nothing."""
    try:
        obj = qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    path = obj
    for part in field.split("__"):
        path = getattr(path, part)
    check(user, perm, path)
    return obj


REVEAL_PERMISSION = "registry.reveal"


def reveal(user, obj: models.Model, field: str, reason: str) -> str:
    """Plaintext of a protected field, for a user holding the reveal permission there, with a reason.

    The reveal is recorded before the value is returned, so there is no unrecorded reveal.
    """
    reason = (reason or "").strip()
    check(user, REVEAL_PERMISSION, obj.territory_path)
    if len(reason) < 4:
        raise ApplicationError(_("Say why you need to see this (at least a few words)."), field="reason")
    value = getattr(obj, field)
    if not isinstance(value, ProtectedValue):
        raise ApplicationError(_("This field is not protected."), field="field")
    data_access_record(actor=user, obj=obj, field=field, reason=reason)
    return value.plaintext()
