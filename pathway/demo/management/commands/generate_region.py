"""Fill the database with a synthetic region: `manage.py generate_region --size small`.

Sizes: tiny (300 episodes), small (10,000), large (500,000) or a number of episodes. Run it on
an empty migrated database (or one with only the demo data); it refuses to add a second region.
Prints progress as it goes and, at the end, the bench logins.
"""

import os

from django.conf import settings
from django.core import checks
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client, override_settings

from pathway.accounts.models import User
from pathway.demo.generator import episodes_for, generate
from pathway.demo.generator.organisations import BENCH_PASSWORD, BENCH_USERS
from pathway.organisations.models import CommissioningArea

# A page per bench login that reads a lot of the generated data.
PAGES = {
    "region.gp": ["/gp/"],
    "region.ttp": ["/ttp/", "/ttp/triage/"],
    "region.manager": ["/manager/", "/manager/activity/", "/manager/waiting-list/"],
}


# Below this a second process costs more to start than it saves.
PARALLEL_FROM_EPISODES = 20_000


def default_workers(episodes):
    """One process per core, up to 2 (the database needs the rest), on PostgreSQL for a load
    big enough to gain from it."""
    if connection.vendor != "postgresql" or episodes < PARALLEL_FROM_EPISODES:
        return 1
    return max(1, min(2, os.cpu_count() or 1))


class Command(BaseCommand):
    help = "Generate a synthetic region (organisations, staff, patients, care, questionnaires)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--size", default="small", help="tiny, small, large or a number of episodes"
        )
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--years", type=float, default=10, help="years of referrals")
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="processes living the care (default: one per core, up to 2, on PostgreSQL "
            "from 20,000 episodes; otherwise 1)",
        )
        parser.add_argument(
            "--no-check", action="store_true", help="skip the pages checked at the end"
        )

    def handle(self, *args, **options):
        try:
            episodes = episodes_for(options["size"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if CommissioningArea.objects.filter(code__startswith="RGN").exists():
            raise CommandError(
                "A generated region is already in this database: use a fresh database."
            )
        workers = options["workers"]
        if workers is None:
            workers = default_workers(episodes)
        if workers < 1 or (workers > 1 and connection.vendor != "postgresql"):
            raise CommandError("--workers above 1 needs PostgreSQL; it must be at least 1.")
        self.stdout.write(
            f"Generating {episodes:,} episodes over {options['years']:g} "
            f"year{'' if options['years'] == 1 else 's'} "
            f"(seed {options['seed']}, {workers} worker{'s' if workers > 1 else ''})..."
        )
        result = generate(
            size=episodes,
            seed=options["seed"],
            years=options["years"],
            workers=workers,
            report=lambda text: self.stdout.write(text, ending="\n"),
        )
        self.stdout.write("Rows written:")
        for model, count in result.counts.items():
            if count:
                self.stdout.write(f"  {model._meta.label:32} {count:>12,}")
        self.stdout.write(f"Generated in {result.seconds:.1f} s.")
        if not options["no_check"]:
            self._check()
        self.stdout.write(
            self.style.SUCCESS(
                f"Bench logins (password {BENCH_PASSWORD!r}): {', '.join(BENCH_USERS)}"
            )
        )

    def _check(self):
        """The system check, and the bench users' main pages answer from the generated data."""
        errors = [e for e in checks.run_checks() if e.level >= checks.ERROR]
        if errors:
            raise CommandError(f"System check failed: {errors}")
        client = Client()
        failed = []
        # The test client's host, whatever the environment allows (the bench's production-like
        # settings allow only 127.0.0.1 and localhost); the second sign-in step is not what
        # this checks (these users have no authenticator yet).
        with override_settings(
            ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"], MFA_REQUIRED=False
        ):
            for username, paths in PAGES.items():
                client.force_login(User.objects.get(username=username))
                for path in paths:
                    status = client.get(path, secure=True).status_code
                    self.stdout.write(f"  {username:15} {path:26} {status}")
                    if status != 200:
                        failed.append(f"{path} ({status})")
        if failed:
            raise CommandError(f"Pages did not answer 200 on the generated data: {failed}")
