"""Print the current TOTP code of an account: ``manage.py totp_code USERNAME`` (demo and development only)."""

import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from yinfa.core.models import User


class Command(BaseCommand):
    help = "Print the current 6-digit second-factor code of an account (demo and development only)."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        if settings.YINFA_ENV == "production":
            raise CommandError("totp_code is for the demo and development only; it refuses to run in production.")
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}.")
        if not user.has_totp or not user.totp_secret:
            raise CommandError(f"The account {username!r} has no second factor set up.")
        self.stdout.write(pyotp.TOTP(user.totp_secret).now())
