import contextlib

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "civicgrid.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from civicgrid.core import checks, refcache, registry  # noqa: F401 - checks registers itself
        from civicgrid.core.models import CalendarDay

        registry.autodiscover()
        refcache.watch(CalendarDay)  # every deadline reads the calendar (core/calendar.py)
        connection_created.connect(_sqlite_wal, dispatch_uid="civicgrid-sqlite-wal")


def _sqlite_wal(sender, connection, **kwargs) -> None:
    """Put a SQLite file in WAL mode the first time (it persists), so pages read while workers write."""
    if connection.vendor != "sqlite" or connection.settings_dict["NAME"] in ("", ":memory:"):
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        if cursor.fetchone()[0].lower() != "wal":
            # Another process may hold the file right now; the mode is set on a later connection.
            with contextlib.suppress(Exception):
                cursor.execute("PRAGMA journal_mode=WAL")
