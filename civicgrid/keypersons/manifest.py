"""Key persons: narrow permissions, the sweep, the today section, the visit subscription, the alert texts.

Only the roles designated for this work hold any key-person permission. Grid workers, unit chiefs,
clerks and department handlers hold none, so nothing of this module reaches them anywhere.
"""

from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import Role
from civicgrid.core.registry import Manifest, NavEntry, Permission, Sweep, TodaySection, register
from civicgrid.keypersons import services, sweep, today

DESIGNATED = (Role.GRID_CHIEF, Role.COMMUNITY_SECRETARY, Role.TOWN_OFFICER, Role.STATIONED_CADRE)
CONFIGURERS = (Role.COMMUNITY_SECRETARY, Role.TOWN_OFFICER, Role.STATIONED_CADRE)

manifest = register(
    Manifest(
        name="keypersons",
        label=_("Key persons"),
        # Audit rows of key persons (who was registered, their colour) are for the designated roles only.
        restricted_audit={"keyperson.": "keypersons.view"},
        nav=[
            NavEntry(_("Key persons"), "keypersons:list", services.VIEW, icon="shield", order=40),
            NavEntry(_("Visit cadence"), "keypersons:cadence", services.CONFIGURE, icon="clock", order=41),
        ],
        permissions=[
            Permission(services.VIEW, _("See key persons (every read is recorded)"), DESIGNATED),
            Permission(services.MANAGE, _("Register key persons, review their colour, end them"), DESIGNATED),
            Permission(services.CONFIGURE, _("Set the visit cadence of each colour"), CONFIGURERS),
        ],
        subscriptions={"visit.logged": [services.on_visit_logged]},
        sweeps=[Sweep("keypersons", sweep.run)],
        today=[
            TodaySection(
                _("Key persons due for a visit"),
                "keypersons/_today.html",
                services.VIEW,
                today.context,
                order=20,
            )
        ],
        messages={
            "keypersons.visit_overdue": _(
                "A key person in %(place)s was due for a visit on %(due_on)s and has not been visited."
            ),
            "keypersons.review_due": _(
                "A key person in %(place)s was due for the yearly review of their colour on %(due_on)s."
            ),
            "keypersons.lapsed": _(
                "A key person's status in %(place)s lapsed at the end of its period (%(until)s)."
            ),
        },
    )
)
