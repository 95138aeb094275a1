"""Migrates the database and creates the users and OAuth2 applications that
laymanctl's end-to-end tests log in with. Safe to run twice."""
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand
from oauth2_provider.models import Application

USERS = [
    ("alice", "alice-password", "alice@example.com", "Alice", "Liddell"),
    ("bob", "bob-password", "bob@example.com", "Bob", "Builder"),
]

REDIRECT_URI = "http://127.0.0.1/callback"  # DOT 1.7 accepts any port for it (RFC 8252 7.3)

APPLICATIONS = [
    # (client_id, client_type, grant_type, client_secret, redirect_uris)
    ("laymanctl", Application.CLIENT_PUBLIC, Application.GRANT_AUTHORIZATION_CODE, "", REDIRECT_URI),
    (
        "laymanctl-confidential",
        Application.CLIENT_CONFIDENTIAL,
        Application.GRANT_AUTHORIZATION_CODE,
        "laymanctl-confidential-secret",
        REDIRECT_URI,
    ),
    ("laymanctl-ci", Application.CLIENT_CONFIDENTIAL, Application.GRANT_PASSWORD, "laymanctl-ci-secret", ""),
    # Layman itself: a resource server that introspects tokens with its client credentials.
    ("layman", Application.CLIENT_CONFIDENTIAL, Application.GRANT_CLIENT_CREDENTIALS, "layman-secret", ""),
]


class Command(BaseCommand):
    help = "Migrate and create laymanctl's test users and OAuth2 applications."

    def handle(self, *args, **options):
        call_command("migrate", verbosity=0, interactive=False)
        User = get_user_model()
        for username, password, email, first, last in USERS:
            user, _ = User.objects.get_or_create(username=username)
            user.email, user.first_name, user.last_name = email, first, last
            user.set_password(password)
            user.save()
        for client_id, client_type, grant_type, secret, redirect_uris in APPLICATIONS:
            # DOT 1.7 stores client secrets in plain text, so a known secret is simply assigned.
            Application.objects.update_or_create(
                client_id=client_id,
                defaults={
                    "name": client_id,
                    "client_type": client_type,
                    "authorization_grant_type": grant_type,
                    "client_secret": secret,
                    "redirect_uris": redirect_uris,
                    "skip_authorization": False,
                },
            )
