"""Permissions and navigation for the pages of the lower layers (tree, audit, people), served by `web`."""

from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import LEADERS, STAFF, Role
from civicgrid.core.registry import Manifest, NavEntry, Permission, register

ALL_ROLES = tuple(Role)

manifest = register(
    Manifest(
        name="web",
        label=_("Platform"),
        nav=[
            NavEntry(_("Home"), "home", "territory.view", icon="dashboard", order=0),
            NavEntry(_("Today"), "today", "territory.view", icon="today", order=1),
            NavEntry(_("Territory"), "territory_tree", "territory.view", icon="tree", order=10),
            NavEntry(_("Audit log"), "audit_list", "audit.view", icon="log", order=90),
        ],
        permissions=[
            Permission("territory.view", _("See the territory tree"), ALL_ROLES),
            Permission(
                "territory.manage",
                _("Create, rename, move and retire nodes"),
                (Role.TOWN_OFFICER, Role.COMMUNITY_SECRETARY),
            ),
            Permission("audit.view", _("Browse the audit log"), LEADERS),
            Permission("accounts.manage", _("Assign roles"), (Role.TOWN_OFFICER, Role.COMMUNITY_SECRETARY)),
        ],
    )
)

__all__ = ["manifest", "STAFF"]
