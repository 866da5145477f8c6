"""manage.py grant_app_role [role]: least-privilege grants for the application's database role.

The `release` step runs it after `migrate`, as the owner, with APP_DATABASE_ROLE naming the
role the web, worker and beat connect as. With no role given and no APP_DATABASE_ROLE it
does nothing, so a single-role deployment (and local development) is unchanged.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from pathway.audit.privileges import GrantRefused, grant_app_role


class Command(BaseCommand):
    help = (
        "Grant the application's database role read and write on every table, but only "
        "SELECT and INSERT on the audit trail (defaults to APP_DATABASE_ROLE)."
    )

    def add_arguments(self, parser):
        parser.add_argument("role", nargs="?", default=os.environ.get("APP_DATABASE_ROLE", ""))
        parser.add_argument("--database", default="default")

    def handle(self, *args, role, database, **options):
        if not role:
            self.stdout.write("APP_DATABASE_ROLE is not set: no grants made.")
            return
        try:
            statements = grant_app_role(role, using=database)
        except GrantRefused as refusal:
            raise CommandError(str(refusal)) from None
        for statement in statements:
            self.stdout.write(statement, style_func=None)
        self.stdout.write(
            self.style.SUCCESS(f"{role} may read and change data, and only add to the audit trail.")
        )
