"""manage.py verify_audit: check every link of the audit trail's hash chains.

Exits 0 with a short summary when every chain is intact; otherwise prints the first broken
link of each broken chain (which event, and whether a row was changed, deleted or inserted)
and exits 1. `--anchor chain:position:hash` (repeatable) also checks heads recorded earlier
outside the database (the daily log line, or a previous run's output), which catches a tail
cut off or rewritten consistently. Safe to run at any time: it only reads.
"""

from django.core.management.base import BaseCommand, CommandError

from pathway.audit import chain


class Command(BaseCommand):
    help = "Verify the audit trail's hash chains; exit 1 at the first broken link of a chain."

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="CHAIN:POSITION:HASH",
            help="a chain head recorded earlier, which must still be in the trail",
        )
        parser.add_argument("--database", default="default")

    def handle(self, *args, anchor, database, **options):
        result = chain.verify(using=database)
        problems = [f"Broken link: {link}" for link in result.broken]
        problems += [
            f"Anchor {value}: {why}"
            for value in anchor
            if (why := chain.check_anchor(value, using=database))
        ]
        if problems:
            for problem in problems:
                self.stderr.write(problem)
            raise CommandError(
                f"The audit trail has been tampered with: {len(problems)} problem(s) in "
                f"{result.events} events. Keep this database as it is and see docs/operations.md."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Audit trail intact: {result.events} events in {len(result.heads)} chain(s)"
                + (f"; {len(anchor)} anchor(s) found." if anchor else ".")
            )
        )
        for head in result.heads:
            self.stdout.write(f"head {head}")
