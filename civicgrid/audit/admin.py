from django.contrib import admin

from civicgrid.audit.models import AuditEvent, DataAccess


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnly):
    list_display = ("at", "actor", "action", "object_repr")
    list_filter = ("action",)


@admin.register(DataAccess)
class DataAccessAdmin(ReadOnly):
    list_display = ("at", "actor", "field", "object_repr", "reason")


class AuditedModelAdmin(admin.ModelAdmin):
    """Administrators' edits are writes like any other: each one lands in the audit log."""

    # Where a territorial row takes its path from, when an administrator edits it by hand.
    PATH_SOURCES = (
        ("territory", "path"),
        ("unit", "path"),
        ("house", "territory_path"),
        ("household", "territory_path"),
        ("resident", "territory_path"),
        ("organisation", "territory_path"),
    )

    def save_model(self, request, obj, form, change):
        from civicgrid.audit.services import audit_record

        if hasattr(obj, "territory_path"):
            for attr, path_attr in self.PATH_SOURCES:
                source = getattr(obj, attr, None) if attr in {f.name for f in obj._meta.fields} else None
                if source is not None:
                    obj.territory_path = getattr(source, path_attr)
                    break
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"admin.{'change' if change else 'add'}",
            obj=obj,
            summary={"fields": list(form.changed_data)},
        )

    def delete_model(self, request, obj):
        from civicgrid.audit.services import audit_record

        audit_record(actor=request.user, action="admin.delete", obj=obj, summary={})
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
