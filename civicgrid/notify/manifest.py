"""Notifications: the staff inbox in the navigation, and the case events that tell people things."""

from django.utils.translation import gettext_lazy as _

from civicgrid.core.registry import Manifest, NavEntry, register
from civicgrid.notify import selectors, services

manifest = register(
    Manifest(
        name="notify",
        label=_("Notifications"),
        nav=[
            NavEntry(
                _("Notifications"),
                "notify:inbox",
                "cases.view",
                icon="bell",
                order=15,
                badge=selectors.unread_count,
            )
        ],
        subscriptions={
            "case.changed": [services.on_case_changed],
            "case.due_soon": [services.on_case_due_soon],
            "case.extension_requested": [services.on_extension_requested],
        },
    )
)
