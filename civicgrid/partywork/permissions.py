"""Permission codes of party work; the roles holding them are declared in the manifest."""

VIEW = "partywork.view"  # see pairings and coverage in an area
PAIR = "partywork.pair"  # pair members with households, end pairings, hand them over
CONTACT = "partywork.contact"  # a party member: be paired in a grid, record contacts with my households
INSERVICE = "partywork.inservice"  # an in-service member: report to a community, pledge, record services
INSERVICE_MANAGE = (
    "partywork.inservice_manage"  # the community: enter members, confirm services, see the year
)
