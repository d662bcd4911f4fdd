from django.utils.translation import gettext_lazy as _

from civicgrid.core.registry import Manifest, register
from civicgrid.portal import services

manifest = register(
    Manifest(
        name="portal",
        label=_("Resident portal"),
        subscriptions={"registry.self_registration_submitted": [services.on_self_registration_submitted]},
    )
)
