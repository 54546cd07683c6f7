"""TOTP two-factor codes: each accepted code (time step) works only once."""

from __future__ import annotations

import hmac
import time

import pyotp

from models import Member

STEP = 30


def verify_once(member: Member, code: str, secret: str | None = None) -> bool:
    """True for a current code (one step of clock drift either way) that is newer than
    the last one accepted; records its step so the same code cannot be replayed.
    The caller commits."""
    secret = secret or member.totp_secret
    if not secret:
        return False
    code = "".join(ch for ch in code if ch.isdigit())
    totp = pyotp.TOTP(secret)
    now_step = int(time.time()) // STEP
    for step in (now_step - 1, now_step, now_step + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            if member.totp_last_step is not None and step <= member.totp_last_step:
                return False
            member.totp_last_step = step
            return True
    return False
