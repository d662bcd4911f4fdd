from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import GRID_STAFF, LEADERS, STAFF, Role
from civicgrid.cases import deadlines, ledger_prints, measures_tally
from civicgrid.core.registry import (
    Export,
    Manifest,
    NavEntry,
    Permission,
    Sweep,
    TodaySection,
    Widget,
    register,
)


def _today_context(user) -> dict:
    from civicgrid.cases.views import today_context  # views import forms and models: load them on use

    return today_context(user)


HANDLERS = GRID_STAFF + LEADERS + (Role.DEPARTMENT_HANDLER,)

manifest = register(
    Manifest(
        name="cases",
        label=_("Cases"),
        subscriptions={
            "case.changed": [measures_tally.case_changed],
            "territory.moved": [measures_tally.territory_moved],
        },
        sweeps=[Sweep("cases", deadlines.sweep)],
        prints=[ledger_prints.KIND],
        today=[TodaySection(_("Cases due"), "cases/_today.html", "cases.handle", _today_context, order=40)],
        nav=[
            NavEntry(_("My queue"), "cases:queue", "cases.handle", icon="inbox", order=10),
            NavEntry(_("Cases"), "cases:case_list", "cases.view", icon="list", order=11),
            NavEntry(_("Take in a case"), "cases:intake", "cases.intake", icon="phone", order=12),
            NavEntry(_("Three rates"), "cases:measures_overview", "cases.view", icon="chart", order=34),
            NavEntry(_("Ledger"), "cases:ledger", "cases.export", icon="table", order=35),
        ],
        widgets=[
            Widget(_("My queue"), "cases/_queue_widget.html", "cases.handle", order=10),
            Widget(_("Three rates"), "cases/measures/_widget.html", "cases.view", order=30),
        ],
        exports=[
            Export(_("Case ledger (XLSX)"), "cases:ledger_xlsx", "cases.export"),
            Export(_("Case ledger (PDF)"), "cases:ledger_pdf", "cases.export"),
        ],
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
