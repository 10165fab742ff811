"""`manage.py check` tells the operator about certificates of the settings
that cannot sign (wrong password, missing file, expired…): the portal still
runs, and those agencies' documents are issued unsigned."""

from django.core.checks import Warning, register


@register()
def check_signing_certificates(app_configs=None, **kwargs):
    from signing.certificates import settings_problems

    return [
        Warning(f"PORTAL_SIGNING_CERTIFICATES: {problem}", hint="The agency's documents are issued unsigned.",
                id="signing.W001")
        for problem in settings_problems()
    ]
