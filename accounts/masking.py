"""Masking of personal data for screens where it need not be whole
(DESIGN.md, "Cross-cutting rules"). Small pure functions, reused by the
profile, the admin and the e-forms; `for_viewer` decides who sees what."""

from __future__ import annotations

import datetime

MASK = "•"


def mask_tail(value: str, visible: int = 3) -> str:
    """Keep the last `visible` characters: `•••••••••789`."""
    value = value or ""
    if not value:
        return ""
    visible = min(visible, max(len(value) - 1, 0))
    return MASK * (len(value) - visible) + value[len(value) - visible :]


def mask_id_number(value: str) -> str:
    """A citizen identity number shows only its last three digits."""
    return mask_tail(value, 3)


def mask_phone(value: str) -> str:
    """`0912345678` → `091••••678`: the network and the last digits."""
    value = value or ""
    if len(value) < 7:
        return mask_tail(value, 2)
    return value[:3] + MASK * (len(value) - 6) + value[-3:]


def mask_date(value: datetime.date | None) -> str:
    """A date of birth keeps only its year: `••/••/1990`."""
    if not value:
        return ""
    return f"{MASK * 2}/{MASK * 2}/{value.year}"


def mask_email(value: str) -> str:
    """`nguyenvana@example.com` → `n•••••••••@example.com`."""
    value = value or ""
    local, at, domain = value.partition("@")
    if not at:
        return mask_tail(value, 2)
    return local[:1] + MASK * max(len(local) - 1, 1) + "@" + domain


MASKERS = {
    "id_number": mask_id_number,
    "date_of_birth": mask_date,
    "phone": mask_phone,
    "email": mask_email,
}


def can_see_whole(viewer, owner) -> bool:
    """Only the owner sees their own personal data whole."""
    return bool(viewer is not None and getattr(viewer, "is_authenticated", False) and viewer.pk == owner.pk)


def for_viewer(viewer, owner, field: str, value):
    """`value` as `viewer` may see it: whole for the owner, masked for
    anyone else (staff included), formatted for display."""
    if can_see_whole(viewer, owner):
        if isinstance(value, datetime.date):
            return value.strftime("%d/%m/%Y")
        return value or ""
    masker = MASKERS.get(field)
    return masker(value) if masker else value
