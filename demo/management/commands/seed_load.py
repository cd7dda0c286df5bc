"""Add load data for measuring the site at scale: trainees with a practice log each, supervisors and placements."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.load import TRAINEES_PER_SCALE, load, load_counts, scale_of


class Command(BaseCommand):
    """Bring the load data up to a scale: 1x is 50 trainees and 5,000 practice entries, 100x is 100 times that."""

    help = (
        "Add generated trainees, supervisors, placements, course progress, practice logs and certificates for "
        "measuring the site at scale (demo/load.py says exactly what). --scale 1 is 50 trainees with 100 practice "
        "and supervision entries each; --scale 100 is 5,000 trainees and 500,000 entries. Loads the demo curriculum "
        "and programme first if missing. Adds only what is missing, so running it again changes nothing and a "
        "larger scale adds the difference."
    )

    def add_arguments(self, parser):
        """Add --scale, --trainees and --force."""
        size = parser.add_mutually_exclusive_group()
        size.add_argument("--scale", type=int, default=1, help="How many times 50 trainees (default 1).")
        size.add_argument("--trainees", type=int, help="Exactly this many trainees, instead of --scale.")
        parser.add_argument(
            "--force", action="store_true", help="Run even when DEBUG is off (adds thousands of made-up people)."
        )

    def handle(self, *args, scale=1, trainees=None, force=False, **options):
        """Add the missing load trainees and say what was added and how long it took."""
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_load adds thousands of made-up people, so it refuses to run when DEBUG is off. "
                "Use --force if this is a database for measuring, not a real site."
            )
        wanted = trainees if trainees is not None else scale * TRAINEES_PER_SCALE
        if wanted < 1:
            raise CommandError("Ask for at least one trainee: --scale 1 or more, or --trainees 1 or more.")
        before, _ = load_counts()
        if wanted < before:
            raise CommandError(
                f"This database already holds {before} load trainees ({scale_of(before)}), more than the "
                f"{wanted} asked for. seed_load only adds; start from an empty database for a smaller load."
            )
        result = load(trainees=wanted)
        if not result.added:
            self.stdout.write(f"Load data is already at {scale_of(wanted)} ({wanted} trainees); nothing changed.")
            return
        trainee_count, supervisor_count = load_counts()
        rows = sum(result.rows.values())
        self.stdout.write(
            f"Added {result.added} trainees ({scale_of(result.trainees_before)} → {scale_of(wanted)}): now "
            f"{trainee_count} load trainees and {supervisor_count} supervisor{'' if supervisor_count == 1 else 's'}; "
            f"{result.rows.get('practice.PracticeEntry', 0)} practice and supervision entries and {rows} rows in all, "
            f"in {result.seconds:.1f} s."
        )
