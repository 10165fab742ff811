"""System checks for the dossier settings: misconfigured, they would leak
files or give two dossiers the same code."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


def _inside(child, parent) -> bool:
    try:
        Path(child).resolve().relative_to(Path(parent).resolve())
    except ValueError:
        return False
    return True


@register()
def check_dossier_settings(app_configs=None, **kwargs):
    errors = []
    private = getattr(settings, "PORTAL_PRIVATE_MEDIA_ROOT", None)
    for name in ("MEDIA_ROOT", "STATIC_ROOT"):
        public = getattr(settings, name, None)
        if private and public and (_inside(private, public) or _inside(public, private)):
            errors.append(
                Error(
                    f"PORTAL_PRIVATE_MEDIA_ROOT must not be inside {name} (or contain it): dossier files would be public.",
                    id="eforms.E001",
                )
            )
    pattern = getattr(settings, "PORTAL_DOSSIER_CODE_PATTERN", "")
    if "{seq" not in pattern or "{unit_code" not in pattern:
        errors.append(
            Error("PORTAL_DOSSIER_CODE_PATTERN must contain {seq…} and {unit_code}: codes must be unique per unit.",
                  id="eforms.E002")
        )
    else:
        try:
            pattern.format(unit_code="000.00.00.H30", date=dt.date(2026, 1, 1), seq=1)
        except (KeyError, ValueError, IndexError) as error:
            errors.append(Error(f"PORTAL_DOSSIER_CODE_PATTERN does not format: {error}", id="eforms.E003"))
    return errors
