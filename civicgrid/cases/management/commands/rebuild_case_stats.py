import time

from django.core.management.base import BaseCommand

from civicgrid.cases.measures_tally import stats_rebuild, stats_vacuum


class Command(BaseCommand):
    help = (
        "Recompute the measures' roll-up (case tallies and statistics) from the raw case rows. "
        "Safe to run while the site is in use: case transitions wait until it commits, which at ten "
        "million cases is about half an hour. Then it vacuums the rows it replaced, while transitions go on. "
        "Each step is printed as it starts."
    )

    def handle(self, *args, **options):
        started = time.monotonic()

        def progress(text: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:7.1f} s] {text}")
            self.stdout.flush()

        counts = stats_rebuild(progress)
        stats_vacuum(progress)
        self.stdout.write(
            f"rebuilt: {counts['cases']} cases, {counts['rows']} statistic rows "
            f"in {time.monotonic() - started:.1f} s"
        )
