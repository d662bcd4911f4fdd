from django.contrib import admin

from civicgrid.audit.admin import AuditedModelAdmin
from civicgrid.orgs.models import Organisation, PartyMembership


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "party_level", "territory", "active")
    list_filter = ("kind",)
    search_fields = ("name",)
    raw_id_fields = ("territory", "parent")


@admin.register(PartyMembership)
class PartyMembershipAdmin(AuditedModelAdmin):
    list_display = ("resident", "organisation", "inservice", "since", "until")
    raw_id_fields = ("resident", "organisation")
