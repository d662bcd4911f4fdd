from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.roles import GRID_STAFF, LEADERS, Role
from civicgrid.core.registry import Manifest, NavEntry, Permission, Sweep, TodaySection, register
from civicgrid.partywork import reminders, today
from civicgrid.partywork.permissions import CONTACT, INSERVICE, INSERVICE_MANAGE, PAIR, VIEW

manifest = register(
    Manifest(
        name="partywork",
        label=_("Party work"),
        nav=[
            NavEntry(
                _("My contact households"),
                "partywork:mine",
                CONTACT,
                icon="home",
                order=40,
                badge=today.not_contacted_badge,
            ),
            NavEntry(_("Contact households"), "partywork:coverage", VIEW, icon="users", order=41),
            NavEntry(
                _("Reporting to the community"), "partywork:inservice_mine", INSERVICE, icon="flag", order=43
            ),
            NavEntry(
                _("In-service party members"),
                "partywork:inservice_list",
                INSERVICE_MANAGE,
                icon="flag",
                order=44,
            ),
        ],
        today=[
            TodaySection(
                _("Contact households not contacted this week"),
                "partywork/_today_member.html",
                CONTACT,
                today.member_context,
                order=30,
            ),
            TodaySection(
                _("Party members with households not contacted this week"),
                "partywork/_today_chief.html",
                VIEW,
                today.chief_context,
                order=31,
            ),
        ],
        sweeps=[Sweep("partywork", reminders.run)],
        messages={
            reminders.TEXT_CODE: _(
                "%(count)s of your contact households have not been contacted yet this week "
                "(week of %(week)s)."
            ),
        },
        permissions=[
            Permission(VIEW, _("See party members' contact households and coverage"), LEADERS + GRID_STAFF),
            Permission(
                PAIR,
                _("Pair party members with contact households, and hand them over"),
                LEADERS + (Role.GRID_CHIEF,),
            ),
            Permission(
                CONTACT, _("Be paired with contact households and record contacts"), (Role.PARTY_MEMBER,)
            ),
            Permission(
                INSERVICE,
                _("Report to the community, pledge and record services"),
                (Role.INSERVICE_PARTY_MEMBER,),
            ),
            Permission(
                INSERVICE_MANAGE,
                _("Enter in-service party members, confirm their services, see the year"),
                (Role.COMMUNITY_SECRETARY, Role.TWO_COMMITTEES, Role.STATIONED_CADRE, Role.TOWN_OFFICER),
            ),
        ],
    )
)
