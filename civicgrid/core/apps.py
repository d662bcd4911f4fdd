from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civicgrid.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from civicgrid.core import registry

        registry.autodiscover()
