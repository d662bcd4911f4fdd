"""The roles of GLOSSARY.md. What each role may do is declared by the modules' manifests."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    TOWN_OFFICER = "town_officer", _("town officer")
    STATIONED_CADRE = "stationed_cadre", _("village-stationed cadre")
    COMMUNITY_SECRETARY = "community_secretary", _("community secretary / director")
    TWO_COMMITTEES = "two_committees", _("two committees member")
    GRID_CHIEF = "grid_chief", _("grid chief")
    GRID_WORKER = "grid_worker", _("grid worker")
    UNIT_CHIEF = "unit_chief", _("unit chief")
    DEPARTMENT_HANDLER = "department_handler", _("department handler")
    PARTY_MEMBER = "party_member", _("party member")
    INSERVICE_PARTY_MEMBER = "inservice_party_member", _("in-service party member")
    VOLUNTEER = "volunteer", _("volunteer")
    MEDIATOR = "mediator", _("people's mediator")
    SUPERVISOR = "supervisor", _("supervision committee member")
    HOUSEHOLD_HEAD = "household_head", _("household head")
    REGISTRY_CLERK = "registry_clerk", _("registry clerk")


# Groups used by manifests so one permission line need not list every role by hand.
LEADERS = (Role.TOWN_OFFICER, Role.STATIONED_CADRE, Role.COMMUNITY_SECRETARY, Role.TWO_COMMITTEES)
GRID_STAFF = (Role.GRID_CHIEF, Role.GRID_WORKER, Role.UNIT_CHIEF)
STAFF = LEADERS + GRID_STAFF + (Role.REGISTRY_CLERK,)
