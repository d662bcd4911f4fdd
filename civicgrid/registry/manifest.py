from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from civicgrid.accounts.roles import GRID_STAFF, LEADERS, STAFF, Role
from civicgrid.core.registry import Export, Manifest, NavEntry, Permission, TodaySection, register
from civicgrid.registry import plates

SECRETARY_AND_CLERK = (Role.COMMUNITY_SECRETARY, Role.TOWN_OFFICER, Role.REGISTRY_CLERK)
REVIEWERS = (Role.GRID_CHIEF, Role.COMMUNITY_SECRETARY, Role.REGISTRY_CLERK)


def _waiting_badge(user, upto: int) -> int:
    from civicgrid.registry import selectors  # selectors import models: load them on use

    return sum(selectors.waiting_counts_for(user, upto=upto).values())


def _today_context(user) -> dict | None:
    from civicgrid.registry import selectors

    counts = selectors.waiting_counts_for(user)
    if not any(counts.values()):
        return None
    return {"counts": counts, "items": selectors.waiting_oldest_for(user, limit=8)}


manifest = register(
    Manifest(
        name="registry",
        label=pgettext_lazy("menu", "Registry"),  # short, for a desktop menu bar that fits on one line
        prints=[plates.KIND],
        nav=[
            NavEntry(_("Households"), "registry:household_list", "registry.view", icon="home", order=20),
            NavEntry(_("Residents"), "registry:resident_list", "registry.view", icon="person", order=21),
            NavEntry(_("Import"), "registry:import_list", "registry.import", icon="upload", order=22),
            NavEntry(
                _("Review queue"),
                "registry:review",
                "registry.review",
                icon="check",
                order=23,
                badge=_waiting_badge,
            ),
        ],
        permissions=[
            Permission("registry.view", _("See households and residents"), STAFF),
            Permission(
                "registry.edit",
                _("Edit households and residents"),
                GRID_STAFF + (Role.COMMUNITY_SECRETARY, Role.TWO_COMMITTEES, Role.REGISTRY_CLERK),
            ),
            Permission("registry.import", _("Import residents from a file"), SECRETARY_AND_CLERK),
            Permission("registry.export", _("Export the registry"), SECRETARY_AND_CLERK),
            Permission(
                "registry.view_sensitive",
                _("See sensitive tags"),
                (Role.COMMUNITY_SECRETARY, Role.GRID_CHIEF, Role.TOWN_OFFICER),
            ),
            Permission(
                "registry.reveal",
                _("Reveal ID numbers and phones, with a reason"),
                (Role.COMMUNITY_SECRETARY, Role.GRID_CHIEF, Role.REGISTRY_CLERK),
            ),
            Permission(
                "registry.review",
                _("Review self-registrations and registry corrections"),
                REVIEWERS,
            ),
        ],
        today=[
            TodaySection(
                _("Waiting for review"), "registry/_today.html", "registry.review", _today_context, order=60
            )
        ],
        messages={
            "registry.self_registration_waiting": _(
                "A self-registration from %(address)s is waiting for your review (%(code)s)."
            ),
        },
        exports=[Export(_("Residents (XLSX)"), "registry:resident_export", "registry.export")],
    )
)

__all__ = ["manifest", "LEADERS"]
