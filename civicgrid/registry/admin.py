from django.contrib import admin

from civicgrid.audit.admin import AuditedModelAdmin, ReadOnly
from civicgrid.registry.models import (
    House,
    Household,
    ImportJob,
    RegistryCorrection,
    Resident,
    ResidentMove,
    SelfRegistration,
    SelfRegistrationPerson,
    Tag,
    Tagging,
)


@admin.register(Tag)
class TagAdmin(AuditedModelAdmin):
    list_display = ("code", "name_zh", "name_en", "target", "sensitive")


@admin.register(House)
class HouseAdmin(AuditedModelAdmin):
    list_display = ("house_code", "address", "territory_path")
    search_fields = ("house_code", "address")
    raw_id_fields = ("unit",)


@admin.register(Household)
class HouseholdAdmin(AuditedModelAdmin):
    list_display = ("number", "head", "status", "territory_path")
    search_fields = ("number",)
    raw_id_fields = ("house", "head")


@admin.register(Resident)
class ResidentAdmin(AuditedModelAdmin):
    # ID numbers and phones show masked (ProtectedValue prints masked) and cannot be edited here.
    list_display = ("name", "gender", "birth_date", "id_number", "residence_type", "status")
    search_fields = ("name",)
    raw_id_fields = ("household",)
    exclude = ("id_number", "phone")
    readonly_fields = ("masked_id_number", "masked_phone")

    @admin.display(description="ID number")
    def masked_id_number(self, obj):
        return str(obj.id_number)

    @admin.display(description="phone")
    def masked_phone(self, obj):
        return str(obj.phone)


admin.site.register(Tagging, AuditedModelAdmin)
admin.site.register(ResidentMove, AuditedModelAdmin)
admin.site.register(ImportJob, AuditedModelAdmin)


# Proposals are decided in the review queue (approve, merge, reject), which applies them through the
# registry's services; here they are only read, and their protected fields are not listed.
@admin.register(RegistryCorrection)
class RegistryCorrectionAdmin(ReadOnly):
    list_display = ("created_at", "household", "status", "decided_by", "decided_at")
    list_filter = ("status",)
    list_select_related = ("household", "decided_by")
    exclude = ("id_number", "phone")


@admin.register(SelfRegistration)
class SelfRegistrationAdmin(ReadOnly):
    list_display = ("created_at", "code", "house", "kind", "status", "decided_by")
    list_filter = ("status", "kind")
    list_select_related = ("house", "decided_by")


@admin.register(SelfRegistrationPerson)
class SelfRegistrationPersonAdmin(ReadOnly):
    list_display = ("registration", "position", "relation", "resident")
    list_select_related = ("registration", "resident")
    exclude = ("id_number", "id_number_hash", "phone")
