from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import GRID_STAFF, LEADERS, STAFF, Role
from civicgrid.core.registry import Export, Manifest, NavEntry, Permission, register

SECRETARY_AND_CLERK = (Role.COMMUNITY_SECRETARY, Role.TOWN_OFFICER, Role.REGISTRY_CLERK)

manifest = register(
    Manifest(
        name="registry",
        label=_("Household registry"),
        nav=[
            NavEntry(_("Households"), "registry:household_list", "registry.view", icon="home", order=20),
            NavEntry(_("Residents"), "registry:resident_list", "registry.view", icon="person", order=21),
            NavEntry(_("Import"), "registry:import_list", "registry.import", icon="upload", order=22),
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
        ],
        exports=[Export(_("Residents (XLSX)"), "registry:resident_export", "registry.export")],
    )
)

__all__ = ["manifest", "LEADERS"]
