"""django-helpdesk's ticket list, measured beside our case list (issue 5's peer). See README.md here."""

from bench.peer_helpdesk.measure import measure

__all__ = ["measure"]
