"""Admin: party work is read here; pairings, contacts and services change only through the services
(hand-overs keep their chain, confirmations are audited with who decided)."""

from django.contrib import admin

from civicgrid.audit.admin import ReadOnly
from civicgrid.partywork.models import (
    ContactLog,
    ContactPairing,
    ContactReminder,
    InservicePartyMember,
    Pledge,
    ServiceRecord,
)


@admin.register(ContactPairing)
class ContactPairingAdmin(ReadOnly):
    list_display = ("member", "household", "since", "until", "end_reason")
    list_select_related = ("member", "household")


@admin.register(ContactLog)
class ContactLogAdmin(ReadOnly):
    list_display = ("contacted_on", "member", "household", "method")
    list_select_related = ("member", "household")
    date_hierarchy = "contacted_on"


@admin.register(ContactReminder)
class ContactReminderAdmin(ReadOnly):
    list_display = ("week", "member", "households", "sent_at")
    list_select_related = ("member",)


@admin.register(InservicePartyMember)
class InservicePartyMemberAdmin(ReadOnly):
    list_display = ("name", "community", "workplace", "reported_on", "until")
    list_select_related = ("community",)


@admin.register(Pledge)
class PledgeAdmin(ReadOnly):
    list_display = ("member", "category", "what", "withdrawn_at")
    list_select_related = ("member",)


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnly):
    list_display = ("done_on", "member", "hours", "status")
    list_select_related = ("member",)
