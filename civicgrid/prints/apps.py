from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrintsConfig(AppConfig):
    name = "civicgrid.prints"
    label = "prints"
    verbose_name = _("Prints")
