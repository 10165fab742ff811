"""The one place that touches allauth.mfa's TOTP internals.

allauth keeps TOTP key generation, code checking and activation in
`allauth.mfa.totp.internal.auth`, with no public equivalent: its public
pages (`mfa_activate_totp`) enrol on a password alone, which the staff
second factor must not. Everything else in the portal calls these three
functions, so an allauth upgrade that moves them breaks here only, and
tests/accounts/test_security_second_factor.py::test_allauth_totp_internals_still_exist
says so in plain words.
"""

from __future__ import annotations

from allauth.mfa.totp.internal import auth as _auth


def generate_secret() -> str:
    """A fresh base32 TOTP key, as allauth's own activation page makes it."""
    return _auth.generate_totp_secret()


def code_matches(secret: str, code: str) -> bool:
    """Whether `code` is current for `secret` (allauth's drift tolerance)."""
    return _auth.validate_totp_code(secret, code)


def activate(user, secret: str):
    """Store `secret` as the user's TOTP authenticator (allauth encrypts it
    through the MFA adapter) and return the Authenticator row."""
    return _auth.TOTP.activate(user, secret).instance
