from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "civicgrid.cases"
    label = "cases"
    verbose_name = _("Cases")

    def ready(self) -> None:
        from civicgrid.cases.models import Category
        from civicgrid.core import refcache

        refcache.watch(Category)  # filter forms list these (core/refcache.py)
