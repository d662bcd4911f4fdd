from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import GRID_STAFF, LEADERS, STAFF, Role
from civicgrid.core.registry import Manifest, NavEntry, ObjectLink, Permission, Sweep, TodaySection, register
from civicgrid.visits import dues, services


def _today_context(user):
    from civicgrid.visits.views import today_context  # views load forms and templates: only on use

    return today_context(user)


def _overdue_badge(user, upto: int) -> int:
    from civicgrid.visits.selectors import overdue_count_for

    return overdue_count_for(user, upto=upto)


COMMUNITY_STAFF = (Role.COMMUNITY_SECRETARY, Role.TWO_COMMITTEES, Role.STATIONED_CADRE)


def _household_visits(household) -> str:
    return reverse("visits:household_history", args=[household.pk])


def _log_visit(household) -> str:
    return reverse("visits:visit_new") + f"?household={household.pk}"


manifest = register(
    Manifest(
        name="visits",
        label=_("Visits"),
        restricted_audit={"visit.key_person": "keypersons.view"},
        links={
            "household": [
                ObjectLink(_("Log a visit"), "visits.log", _log_visit, primary=True),
                ObjectLink(_("Visits to this household"), "visits.view", _household_visits),
            ]
        },
        # Needs and rules are reached from these two pages: the top bar is shared by every module.
        nav=[
            NavEntry(
                _("Visits due"), "visits:due_list", "visits.log", icon="walk", order=13, badge=_overdue_badge
            ),
            NavEntry(_("Visit coverage"), "visits:coverage", "visits.coverage", icon="chart", order=36),
        ],
        permissions=[
            Permission("visits.view", _("See visits, visits due and needs"), STAFF),
            Permission("visits.log", _("Log home visits"), GRID_STAFF + COMMUNITY_STAFF),
            Permission("visits.manage_rules", _("Set who is visited how often"), LEADERS),
            Permission("visits.coverage", _("See visit coverage"), LEADERS + (Role.GRID_CHIEF,)),
        ],
        today=[TodaySection(_("Visits due"), "visits/_today.html", "visits.log", _today_context, order=20)],
        sweeps=[Sweep("visits", dues.sweep)],
        subscriptions={"case.changed": [services.on_case_changed]},
        messages={"visits.overdue": _("%(count)s visits in %(place)s are now overdue.")},
    )
)
