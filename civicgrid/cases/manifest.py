from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import GRID_STAFF, LEADERS, STAFF, Role
from civicgrid.core.registry import Manifest, Permission, register

HANDLERS = GRID_STAFF + LEADERS + (Role.DEPARTMENT_HANDLER,)

manifest = register(
    Manifest(
        name="cases",
        label=_("Cases"),
        permissions=[
            Permission("cases.view", _("See cases"), STAFF + (Role.DEPARTMENT_HANDLER,)),
            Permission("cases.intake", _("Take in cases"), STAFF),
            Permission("cases.handle", _("Handle cases at my tier"), HANDLERS),
            Permission(
                "cases.dispatch",
                _("Dispatch cases to departments"),
                (Role.COMMUNITY_SECRETARY, Role.TWO_COMMITTEES, Role.TOWN_OFFICER, Role.STATIONED_CADRE),
            ),
            Permission("cases.rate", _("Record a rating from a call-back"), STAFF),
            Permission(
                "cases.approve_extension",
                _("Approve more time for the tier below"),
                LEADERS + (Role.GRID_CHIEF,),
            ),
            Permission("cases.export", _("Export the case ledger"), LEADERS),
            Permission("cases.manage_catalogue", _("Edit the category catalogue"), (Role.TOWN_OFFICER,)),
        ],
    )
)
