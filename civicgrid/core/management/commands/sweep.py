import time

from django.core.management.base import BaseCommand

from civicgrid.core import registry


class Command(BaseCommand):
    help = (
        "Act on stored deadlines of every module (case escalations, visits due, lapsed statuses, "
        "reminders). Idempotent: safe to run in several places."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="repeat every N seconds (0: run once and stop)"
        )

    def handle(self, *args, every: int, **options):
        while True:
            for sweep in registry.sweeps():
                counts = sweep.run()
                if any(counts.values()) or not every:
                    summary = ", ".join(f"{n} {what}" for what, n in counts.items())
                    self.stdout.write(f"sweep {sweep.name}: {summary}")
            if not every:
                return
            time.sleep(every)
