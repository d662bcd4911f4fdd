import time

from django.core.management.base import BaseCommand

from civicgrid.cases.deadlines import sweep


class Command(BaseCommand):
    help = "Warn about case deadlines coming due and escalate overdue ones. Safe to run in several places."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every", type=int, default=0, help="repeat every N seconds (0: run once and stop)"
        )

    def handle(self, *args, every: int, **options):
        while True:
            counts = sweep()
            if counts["warned"] or counts["escalated"] or not every:
                self.stdout.write(f"sweep: {counts['warned']} warned, {counts['escalated']} escalated")
            if not every:
                return
            time.sleep(every)
