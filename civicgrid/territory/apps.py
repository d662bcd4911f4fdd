from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TerritoryConfig(AppConfig):
    name = "civicgrid.territory"
    label = "territory"
    verbose_name = _("Territory")

    def ready(self) -> None:
        from civicgrid.core import refcache
        from civicgrid.territory.models import Territory

        refcache.watch(Territory)  # filter forms list these (core/refcache.py)
