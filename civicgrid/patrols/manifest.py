from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import GRID_STAFF, LEADERS, STAFF, Role
from civicgrid.core.registry import Manifest, NavEntry, Permission, Sweep, TodaySection, register
from civicgrid.patrols import rules

# Residents and party members patrol; so may any staff member who joins a team.
PATROLLERS = STAFF + (
    Role.PARTY_MEMBER,
    Role.INSERVICE_PARTY_MEMBER,
    Role.VOLUNTEER,
    Role.HOUSEHOLD_HEAD,
)


def _today_context(user):
    from civicgrid.patrols.views.today import today_context  # views load forms and models: on use

    return today_context(user)


def _sweep():
    from civicgrid.patrols.services import sweep  # services load models: on use

    return sweep()


manifest = register(
    Manifest(
        name="patrols",
        label=_("Patrols"),
        permissions=[
            Permission(rules.VIEW, _("See patrol teams, shifts, findings and hours"), LEADERS + GRID_STAFF),
            Permission(
                rules.TAKE_PART, _("Take part in patrols: check in and out, record findings"), PATROLLERS
            ),
            Permission(
                rules.MANAGE,
                _("Set up patrol teams, members, areas and shifts"),
                LEADERS + (Role.GRID_CHIEF,),
            ),
        ],
        nav=[
            NavEntry(_("Patrols"), "patrols:team_list", rules.TAKE_PART, icon="shield", order=50),
            NavEntry(_("Patrol hours"), "patrols:hours", rules.VIEW, icon="clock", order=51),
        ],
        today=[TodaySection(_("Patrols"), "patrols/_today.html", rules.TAKE_PART, _today_context, order=60)],
        sweeps=[Sweep("patrols", _sweep)],
        messages={
            "patrols.shift_planned": _("You are expected on a patrol of %(team)s at %(when)s."),
            "patrols.shift_closed": _(
                "The patrol of %(team)s at %(when)s was closed with %(n)s members still checked in: "
                "they were checked out at the planned end."
            ),
        },
    )
)
