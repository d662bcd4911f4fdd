from django.contrib import admin

from civicgrid.audit.admin import ReadOnly
from civicgrid.notify.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnly):
    """Notifications are made by case events; administrators look, they do not write them."""

    list_display = ("created_at", "kind", "case", "recipient", "target", "read_at")
    list_filter = ("kind", "target")
    raw_id_fields = ("recipient", "case", "follower")
