from django.contrib import admin

from civicgrid.audit.admin import AuditedModelAdmin
from civicgrid.registry.models import House, Household, ImportJob, Resident, ResidentMove, Tag, Tagging


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
