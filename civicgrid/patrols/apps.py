from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PatrolsConfig(AppConfig):
    name = "civicgrid.patrols"
    label = "patrols"
    verbose_name = _("Patrols")
