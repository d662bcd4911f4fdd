from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import LEADERS, STAFF, Role
from civicgrid.core.registry import Manifest, NavEntry, Permission, register

manifest = register(
    Manifest(
        name="orgs",
        label=_("Organisations"),
        nav=[NavEntry(_("Organisations"), "orgs:organisation_list", "orgs.view", icon="org", order=30)],
        permissions=[
            Permission("orgs.view", _("See organisations"), STAFF + (Role.DEPARTMENT_HANDLER,)),
            Permission("orgs.manage", _("Manage organisations"), LEADERS),
        ],
    )
)
