from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    name = "civicgrid.orgs"
    label = "orgs"
    verbose_name = _("Organisations")

    def ready(self) -> None:
        from civicgrid.core import refcache
        from civicgrid.orgs.models import Organisation

        refcache.watch(Organisation)  # filter forms list these (core/refcache.py)
