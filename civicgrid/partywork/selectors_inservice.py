"""Reads of in-service party members: the community's year (who reported, hours, what was done) and a
member's own record. The community's lists are scoped on `partywork.inservice_manage`; a member sees
their own records through `partywork.inservice`."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext as _

from civicgrid import access
from civicgrid.core import paths
from civicgrid.core.pagination import Page, keyset_page
from civicgrid.partywork.models import InservicePartyMember, Pledge, ServiceRecord, ServiceStatus
from civicgrid.partywork.periods import Period
from civicgrid.partywork.permissions import INSERVICE, INSERVICE_MANAGE
from civicgrid.territory.models import Level, Territory


def _in_year(year: Period) -> Q:
    return Q(reported_on__lte=year.end) & (Q(until__isnull=True) | Q(until__gte=year.start))


def _sub(qs, expr, output):
    return Coalesce(
        Subquery(qs.values("member_id").annotate(v=expr).values("v")[:1], output_field=output),
        Value(0, output_field=output),
    )


def _with_year(qs, year: Period):
    services = ServiceRecord.objects.filter(
        member=OuterRef("pk"), done_on__gte=year.start, done_on__lte=year.end
    )
    confirmed = services.filter(status=ServiceStatus.CONFIRMED)
    hours = DecimalField(max_digits=8, decimal_places=1)
    return qs.annotate(
        year_hours=_sub(confirmed, Sum("hours"), hours),
        year_services=_sub(confirmed, Count("id"), IntegerField()),
        year_pending=_sub(services.filter(status=ServiceStatus.PENDING), Count("id"), IntegerField()),
        pledge_count=_sub(
            Pledge.objects.filter(member=OuterRef("pk"), withdrawn_at__isnull=True),
            Count("id"),
            IntegerField(),
        ),
    )


def _scoped(user, node: Territory | None, year: Period):
    qs = access.scope(user, InservicePartyMember.objects.filter(_in_year(year)), INSERVICE_MANAGE)
    if node is not None:
        qs = qs.filter(paths.subtree_q("territory_path", node.path))
    return qs


def inservice_list_for(
    user, *, year: Period, node: Territory | None = None, cursor: str | None = None, size: int = 25
) -> Page:
    """Members reporting to the communities in the user's area during the year, with their hours."""
    qs = _with_year(_scoped(user, node, year).select_related("community"), year)
    return keyset_page(qs, order=("territory_path", "id"), cursor=cursor, size=size)


def inservice_year_totals(user, *, year: Period, node: Territory | None = None) -> dict:
    members = _scoped(user, node, year)
    services = access.scope(
        user, ServiceRecord.objects.filter(done_on__gte=year.start, done_on__lte=year.end), INSERVICE_MANAGE
    )
    if node is not None:
        services = services.filter(paths.subtree_q("territory_path", node.path))
    counts = members.aggregate(members=Count("id"), new=Count("id", filter=Q(reported_on__gte=year.start)))
    done = services.aggregate(
        hours=Sum("hours", filter=Q(status=ServiceStatus.CONFIRMED)),
        confirmed=Count("id", filter=Q(status=ServiceStatus.CONFIRMED)),
        pending=Count("id", filter=Q(status=ServiceStatus.PENDING)),
        served=Count("member_id", filter=Q(status=ServiceStatus.CONFIRMED), distinct=True),
    )
    return {**counts, **done, "hours": done["hours"] or Decimal(0)}


def pending_services_for(user, *, node: Territory | None = None, limit: int = 50) -> list[ServiceRecord]:
    qs = access.scope(user, ServiceRecord.objects.filter(status=ServiceStatus.PENDING), INSERVICE_MANAGE)
    if node is not None:
        qs = qs.filter(paths.subtree_q("territory_path", node.path))
    return list(qs.select_related("member", "pledge").order_by("done_on", "id")[:limit])


def inservice_get_for(user, pk: int) -> InservicePartyMember:
    """One record: its member's own login (with the in-service role there), or the community."""
    try:
        member = InservicePartyMember.objects.select_related("community", "user").get(pk=pk)
    except (InservicePartyMember.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    if member.user_id == getattr(user, "pk", None) and access.has_perm_at(
        user, INSERVICE, member.territory_path
    ):
        return member
    access.check(user, INSERVICE_MANAGE, member.territory_path)
    return member


def service_get_for(user, pk: int) -> ServiceRecord:
    try:
        record = ServiceRecord.objects.select_related("member").get(pk=pk)
    except (ServiceRecord.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    access.check(user, INSERVICE_MANAGE, record.territory_path)
    return record


def pledge_get_for(user, pk: int) -> Pledge:
    try:
        pledge = Pledge.objects.select_related("member").get(pk=pk)
    except (Pledge.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    inservice_get_for(user, pledge.member_id)
    return pledge


def my_inservice(user) -> list[InservicePartyMember]:
    """The user's own records, current first (one per community they report to)."""
    qs = access.scope(user, InservicePartyMember.objects.filter(user_id=getattr(user, "pk", None)), INSERVICE)
    return list(
        qs.select_related("community").order_by(F("until").desc(nulls_first=True), "-reported_on", "-id")
    )


def member_pledges(member: InservicePartyMember) -> list[Pledge]:
    return list(member.pledges.order_by(F("withdrawn_at").asc(nulls_first=True), "id"))


def member_services(member: InservicePartyMember, limit: int = 100) -> list[ServiceRecord]:
    return list(member.services.select_related("pledge").order_by("-done_on", "-id")[:limit])


def community_options_for(user, perm: str) -> list[Territory]:
    """Communities where the user holds `perm` (to report to, or to enter members for)."""
    roots = access.roots(user, perm)
    qs = Territory.objects.filter(level=Level.COMMUNITY, retired_at__isnull=True)
    if roots is not None:  # a grant on the community itself or on a town above it
        qs = qs.filter(paths.any_subtree_q("path", roots))
    return list(qs.order_by("path")[:300])


def community_get_for(user, pk, perm: str) -> Territory:
    try:
        node = Territory.objects.get(pk=pk, level=Level.COMMUNITY)
    except (Territory.DoesNotExist, ValueError, TypeError):
        raise Http404(_("Not found.")) from None
    access.check(user, perm, node.path)
    return node
