from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from civicgrid.accounts.tokens import token_create


class Command(BaseCommand):
    help = "Create an API token for a user. The token is shown once; only its keyed hash is stored."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. the integration's name")

    def handle(self, *args, username, name, **options):
        try:
            user = get_user_model().objects.get(username=username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user named {username!r}.") from None
        token, raw = token_create(actor=None, user=user, name=name)
        self.stdout.write(raw)
        self.stderr.write(
            f"Token {token.prefix}… for {username}: send it as 'Authorization: Bearer <token>'."
        )
