"""Helpers for tests that act as staff: the staff second factor
(accounts.mfa) as a phone app and a finished sign-in would give it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def totp_code(secret: str, offset_steps: int = 0) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), computed here independently of the
    code under test, as the staff member's phone app does."""
    key = base64.b32decode(secret, casefold=True)
    counter = int(time.time()) // 30 + offset_steps
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    start = digest[-1] & 0x0F
    value = (struct.unpack(">I", digest[start : start + 4])[0] & 0x7FFFFFFF) % 1_000_000
    return f"{value:06d}"


def pass_second_factor(client, user):
    """Sign `client` in as `user` having passed the staff second factor in
    this session: what accounts.mfa.passed_second_factor checks (the
    session's mark and an authenticator the user still has)."""
    from allauth.mfa.models import Authenticator

    from accounts import mfa, totp

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        totp.activate(user, totp.generate_secret())
    client.force_login(user)
    session = client.session
    session[mfa.SESSION_KEY] = user.pk
    session.save()
    return client
