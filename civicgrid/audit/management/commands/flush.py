"""Django's `flush`, able to empty the append-only audit tables outside production.

Tests that commit (transactional and browser tests) are cleaned up with `flush`; without this the
audit triggers refuse it. In production the guard stays: `flush` fails rather than erase the log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.commands import flush
from django.db import connections, transaction

from civicgrid.audit import guard


class Command(flush.Command):
    help = flush.Command.help + " Outside production the audit log is emptied too."

    def handle(self, **options):
        if getattr(settings, "PRODUCTION", False):
            return super().handle(**options)
        connection = connections[options["database"]]
        with transaction.atomic(using=connection.alias), guard.lifted(connection):
            return super().handle(**options)
