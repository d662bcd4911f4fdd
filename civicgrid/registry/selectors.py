"""Every read of the registry: takes the user, scoped through the access layer."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from civicgrid import access
from civicgrid.core import clock, idcard, paths, refcache
from civicgrid.core.pagination import Page, count_upto, keyset_page
from civicgrid.core.protected import blind_index
from civicgrid.registry.models import (
    House,
    Household,
    RegistryCorrection,
    Resident,
    ResidentMove,
    ReviewStatus,
    SelfRegistration,
    SelfRegistrationPerson,
    Tag,
    Tagging,
)
from civicgrid.territory.models import Territory

VIEW = "registry.view"
SENSITIVE = "registry.view_sensitive"


@dataclass
class ListFilters:
    q: str = ""
    territory: Territory | None = None
    status: str = ""
    residence_type: str = ""
    tag: str = ""


def _visible_taggings(user) -> QuerySet:
    """Taggings the user may see: sensitive ones only under the subtrees where they hold SENSITIVE."""
    qs = Tagging.objects.select_related("tag").filter(Q(until__isnull=True) | Q(until__gte=clock.today()))
    where = access.roots(user, SENSITIVE)
    if where is None:
        return qs
    return qs.filter(Q(tag__sensitive=False) | paths.any_subtree_q("territory_path", where))


def _search_q(q: str, *, on_household: bool) -> Q:
    q = q.strip()
    prefix = "members__" if on_household else ""
    if not q:
        return Q()
    number = idcard.normalise(q)
    if idcard.is_valid(number):
        return Q(**{f"{prefix}id_number_hash": blind_index("id_number", number)})
    digits = "".join(ch for ch in q if ch.isdigit())
    if digits and len(digits) == len(q.replace(" ", "")) and 7 <= len(digits) <= 15:
        return (
            Q(**{f"{prefix}phone_hash": blind_index("phone", digits)}) | Q(number=q)
            if on_household
            else Q(phone_hash=blind_index("phone", digits))
        )
    if on_household:
        return Q(number=q) | Q(house__house_code=q.upper()) | Q(members__name__startswith=q)
    return Q(name__startswith=q) | Q(household__number=q) | Q(household__house__house_code=q.upper())


def _narrow(user, qs: QuerySet, filters: ListFilters, *, tag_field: str) -> QuerySet:
    qs = access.scope(user, qs, VIEW)
    if filters.territory is not None:
        access.check(user, VIEW, filters.territory.path)
        qs = qs.filter(paths.subtree_q("territory_path", filters.territory.path))
    if filters.tag:
        visible = _visible_taggings(user).filter(tag__code=filters.tag)
        qs = qs.filter(pk__in=visible.values(tag_field))
    return qs


def household_list_for(user, filters: ListFilters, *, cursor: str | None = None, size: int = 25) -> Page:
    qs = Household.objects.select_related("house", "head")
    qs = _narrow(user, qs, filters, tag_field="household_id")
    if filters.q:
        qs = qs.filter(_search_q(filters.q, on_household=True)).distinct()
    if filters.status:
        qs = qs.filter(status=filters.status)
    qs = qs.prefetch_related(Prefetch("taggings", queryset=_visible_taggings(user)))
    return keyset_page(qs, order=("territory_path", "id"), cursor=cursor, size=size)


def resident_list_for(user, filters: ListFilters, *, cursor: str | None = None, size: int = 25) -> Page:
    qs = Resident.objects.select_related("household")
    qs = _narrow(user, qs, filters, tag_field="resident_id")
    if filters.q:
        qs = qs.filter(_search_q(filters.q, on_household=False))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.residence_type:
        qs = qs.filter(residence_type=filters.residence_type)
    qs = qs.prefetch_related(Prefetch("taggings", queryset=_visible_taggings(user)))
    return keyset_page(qs, order=("territory_path", "id"), cursor=cursor, size=size)


def resident_export_rows(user, filters: ListFilters):
    """Every resident the user may export, streamed in primary-key order, with household and tags."""
    qs = Resident.objects.select_related("household", "household__house")
    qs = access.scope(user, qs, "registry.export")
    qs = _narrow(user, qs, filters, tag_field="resident_id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    visible = _visible_taggings(user)
    last = 0
    while True:
        batch = list(
            qs.filter(pk__gt=last)
            .order_by("pk")
            .prefetch_related(Prefetch("taggings", queryset=visible))[:2000]
        )
        if not batch:
            return
        yield from batch
        last = batch[-1].pk


def household_get_for(user, pk: int, perm: str = VIEW) -> Household:
    qs = Household.objects.select_related("house", "house__unit", "head").prefetch_related(
        Prefetch("taggings", queryset=_visible_taggings(user))
    )
    return access.get_for(user, qs, perm, pk=pk)


def household_detail_for(user, household: Household) -> dict:
    members = list(
        household.members.order_by("-relation", "birth_date").prefetch_related(
            Prefetch("taggings", queryset=_visible_taggings(user))
        )
    )
    members.sort(key=lambda r: (r.relation != "head", r.birth_date))
    return {
        "household": household,
        "members": members,
        "household_tags": list(household.taggings.all()),  # prefetched: visible ones only
        "moves": list(
            ResidentMove.objects.filter(
                Q(from_household=household) | Q(to_household=household)
            ).select_related("resident")[:50]
        ),
        "ancestors": territory_ancestors(household.territory_path),
    }


def resident_get_for(user, pk: int, perm: str = VIEW) -> Resident:
    qs = Resident.objects.select_related("household", "household__house").prefetch_related(
        Prefetch("taggings", queryset=_visible_taggings(user))
    )
    return access.get_for(user, qs, perm, pk=pk)


def house_get_for(user, house_code: str, perm: str = VIEW) -> House:
    return access.get_for(user, House.objects.select_related("unit"), perm, house_code=house_code)


def house_options_for(user, q: str, limit: int = 20) -> list[House]:
    qs = access.scope(user, House.objects.all(), "registry.edit")
    if q:
        qs = qs.filter(Q(house_code=q.upper()) | Q(address__contains=q))
    return list(qs.order_by("territory_path", "id")[:limit])


def tags_for(user, path: str) -> list[Tag]:
    qs = Tag.objects.all()
    if not access.has_perm_at(user, SENSITIVE, path):
        qs = qs.filter(sensitive=False)
    return list(qs)


def tag_filter_options_for(user) -> list[Tag]:
    """Tags offered as list filters: sensitive ones only to users who may see them somewhere."""
    qs = Tag.objects.all()
    if not access.has_anywhere(user, SENSITIVE):
        qs = qs.filter(sensitive=False)
    return list(qs)


def import_places_for(user, limit: int = 200) -> list[Territory]:
    """The nodes a user may import into: the roots of their import permission."""
    where = access.roots(user, "registry.import")
    qs = Territory.objects.filter(level__in=["county", "town", "community", "grid"], retired_at__isnull=True)
    if where is not None:
        qs = qs.filter(path__in=where)
    return list(qs.order_by("path")[:limit])


def territory_ancestors(path: str) -> list[Territory]:
    wanted = [*paths.ancestors(path), path]
    return list(Territory.objects.filter(path__in=wanted).order_by("path"))


def unit_options_for(user, perm: str = "registry.edit", limit: int = 500) -> list[Territory]:
    """Units where the user may register households, labelled with their grid."""
    qs = Territory.objects.filter(level="unit", retired_at__isnull=True).select_related("parent")
    units = list(access.scope(user, qs, perm, field="path").order_by("path")[:limit])
    for u in units:
        u.label = f"{u.parent.name} · {u.name}"
    return units


def territory_options_for(user, perm: str = VIEW, limit: int = 300) -> list[Territory]:
    """Places the user can narrow a list to (down to grids), for the territory switcher."""
    qs = Territory.objects.filter(level__in=["county", "town", "community", "grid"], retired_at__isnull=True)
    nodes = list(access.scope(user, qs, perm, field="path").order_by("path")[:limit])
    top = min((n.depth for n in nodes), default=0)
    for n in nodes:
        n.indent = "· " * (n.depth - top)
    return nodes


def territory_choices_for(user, perm: str = VIEW, limit: int = 300) -> tuple[tuple[int, str], ...]:
    """`territory_options_for` as (pk, indented name) pairs, built once per scope in each process."""
    roots = access.roots(user, perm)
    return refcache.remember(
        "territory-choices",
        (None if roots is None else tuple(roots), perm, limit),
        lambda: tuple((n.pk, f"{n.indent}{n.name}") for n in territory_options_for(user, perm, limit)),
    )


# --- The review queue: self-registrations from door plates and corrections proposed on visits.

REVIEW = "registry.review"


def _waiting(user, qs: QuerySet, territory: Territory | None) -> QuerySet:
    qs = access.scope(user, qs.filter(status=ReviewStatus.WAITING), REVIEW)
    if territory is not None:
        access.check(user, REVIEW, territory.path)
        qs = qs.filter(paths.subtree_q("territory_path", territory.path))
    return qs


def self_registration_queue_for(
    user, *, territory: Territory | None = None, cursor: str | None = None, size: int = 25
) -> Page:
    qs = SelfRegistration.objects.select_related("house", "house__unit").prefetch_related("people")
    return keyset_page(
        _waiting(user, qs, territory), order=("territory_path", "id"), cursor=cursor, size=size
    )


def correction_queue_for(
    user, *, territory: Territory | None = None, cursor: str | None = None, size: int = 25
) -> Page:
    qs = RegistryCorrection.objects.select_related("household__house", "resident", "proposed_by")
    return keyset_page(
        _waiting(user, qs, territory), order=("territory_path", "id"), cursor=cursor, size=size
    )


def waiting_counts_for(user, upto: int | None = None) -> dict[str, int]:
    """How many self-registrations and corrections wait where the user reviews: two counts."""
    return {
        "registrations": count_upto(_waiting(user, SelfRegistration.objects.all(), None), upto),
        "corrections": count_upto(_waiting(user, RegistryCorrection.objects.all(), None), upto),
    }


def waiting_oldest_for(user, limit: int = 10) -> list:
    """The oldest waiting items of both kinds, oldest first, for the today page."""
    registrations = list(
        _waiting(user, SelfRegistration.objects.select_related("house"), None).order_by("created_at", "id")[
            :limit
        ]
    )
    corrections = list(
        _waiting(user, RegistryCorrection.objects.select_related("household", "resident"), None).order_by(
            "created_at", "id"
        )[:limit]
    )
    return sorted(registrations + corrections, key=lambda item: item.created_at)[:limit]


def self_registration_get_for(user, pk: int, perm: str = REVIEW) -> SelfRegistration:
    qs = SelfRegistration.objects.select_related("house__unit__parent", "household", "decided_by")
    return access.get_for(user, qs.prefetch_related("people"), perm, pk=pk)


def correction_get_for(user, pk: int, perm: str = REVIEW) -> RegistryCorrection:
    qs = RegistryCorrection.objects.select_related(
        "household__house", "household__head", "resident", "proposed_by", "decided_by"
    )
    return access.get_for(user, qs, perm, pk=pk)


@dataclass
class Match:
    """A person of a self-registration and the resident registered under the same ID number."""

    person: SelfRegistrationPerson
    resident: Resident | None
    visible: bool  # the resident lies where the reviewer may edit: shown, and merging is allowed


def self_registration_matches(registration: SelfRegistration) -> dict[int, Resident]:
    """Residents registered under the ID number of a person of the registration: person id → resident.

    Wherever they live: a duplicate must be found even outside the reviewer's area (see Match.visible).
    """
    people = list(registration.people.all())
    found = {
        r.id_number_hash: r
        for r in Resident.objects.select_related("household__house").filter(
            id_number_hash__in=[p.id_number_hash for p in people]
        )
    }
    return {p.pk: found[p.id_number_hash] for p in people if p.id_number_hash in found}


def self_registration_review_for(user, registration: SelfRegistration) -> dict:
    found = self_registration_matches(registration)
    rows = []
    for person in registration.people.all():
        resident = found.get(person.pk)
        visible = resident is not None and access.has_perm_at(user, "registry.edit", resident.territory_path)
        rows.append(Match(person=person, resident=resident, visible=visible))
    households = list(
        Household.objects.filter(house=registration.house, status="active").select_related("head")
    )
    return {
        "registration": registration,
        "matches": rows,
        "any_match": any(m.resident for m in rows),
        "can_merge": any(m.resident for m in rows) and all(m.visible for m in rows if m.resident),
        "households": households,
        "ancestors": territory_ancestors(registration.territory_path),
    }


@dataclass
class ChangeRow:
    label: str
    before: str
    after: str


def _shown(instance, field: str, value) -> str:
    """A value as the registry pages show it: choices by label, a head by name, protected masked."""
    model = type(instance)
    if field == "head":
        head = Resident.objects.filter(pk=value).only("name").first() if value else None
        return head.name if head else "—"
    choices = dict(model._meta.get_field(field).choices or ())
    if choices:
        return str(choices.get(value, value))
    return str(value) if value not in (None, "") else "—"


def correction_field_label(field: str) -> str:
    model = Household if field in ("notes", "head") else Resident
    return str(model._meta.get_field(field).verbose_name)


def correction_changes(correction: RegistryCorrection) -> list[ChangeRow]:
    """Each proposed change beside the value on file now; ID number and phone masked on both sides."""
    target = correction.resident or correction.household
    rows = []
    for field, value in correction.changes.items():
        if field in ("id_number", "phone"):
            before, after = str(getattr(target, field)) or "—", str(getattr(correction, field)) or "—"
        else:
            current = target.head_id if field == "head" else getattr(target, field)
            before, after = _shown(target, field, current), _shown(target, field, value)
        rows.append(ChangeRow(label=correction_field_label(field), before=before, after=after))
    return rows


def self_registration_public(code: str) -> SelfRegistration | None:
    """A self-registration by its tracking code, for the resident's portal page (no login)."""
    code = (code or "").strip().upper()
    if not code or len(code) > 20:
        return None
    return SelfRegistration.objects.select_related("house").filter(code=code).first()
