from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "civicgrid.api"
    label = "api"
    verbose_name = "API"
