from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "civicgrid.access"
    label = "access"
    verbose_name = "Access"
