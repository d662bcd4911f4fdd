from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotifyConfig(AppConfig):
    name = "civicgrid.notify"
    label = "notify"
    verbose_name = _("Notifications")

    def ready(self):
        # A misnamed channel in the settings stops the start, not the first case that needs it.
        from civicgrid.notify.channels import configured

        configured()
