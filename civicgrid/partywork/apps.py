from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartyWorkConfig(AppConfig):
    name = "civicgrid.partywork"
    label = "partywork"
    verbose_name = _("Party work")
