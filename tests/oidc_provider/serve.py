"""Start the stand-in OpenID Connect provider.

    python -m tests.oidc_provider.serve PORT

Migrates its own SQLite file (OIDC_TEST_DB), creates the users of
OIDC_TEST_USERS and the portal's client (OIDC_TEST_CLIENT_ID,
OIDC_TEST_CLIENT_SECRET, OIDC_TEST_REDIRECT_URIS), prints "READY" once it
listens on 127.0.0.1:PORT, and serves until it is terminated."""

import os
import sys


def seed() -> None:
    from django.contrib.auth import get_user_model
    from oauth2_provider.models import Application

    from tests.oidc_provider.validators import users

    User = get_user_model()
    for entry in users():
        user, _ = User.objects.get_or_create(username=entry["username"])
        user.set_password(entry["password"])
        user.save()
    Application.objects.update_or_create(
        client_id=os.environ["OIDC_TEST_CLIENT_ID"],
        defaults={
            "name": "Cổng dịch vụ công (test)",
            "client_secret": os.environ["OIDC_TEST_CLIENT_SECRET"],
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": os.environ["OIDC_TEST_REDIRECT_URIS"],
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": False,
        },
    )


def main() -> None:
    port = int(sys.argv[1])
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    call_command("migrate", verbosity=0, interactive=False)
    seed()

    def ready(bound_port: int) -> None:
        sys.stdout.write(f"READY http://127.0.0.1:{bound_port}\n")
        sys.stdout.flush()

    run("127.0.0.1", port, get_wsgi_application(), threading=True, on_bind=ready)


if __name__ == "__main__":
    main()
