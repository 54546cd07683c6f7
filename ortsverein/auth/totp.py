"""TOTP two-factor codes: each accepted code (time step) works only once, and the
members' secrets are stored encrypted under a key derived from SECRET_KEY."""

from __future__ import annotations

import base64
import hmac
import logging
import time

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from models import Member

STEP = 30
# Marks a sealed secret. A base32 secret (A-Z, 2-7) never starts with it, so a
# value stored before encryption (or restored from an old backup) is told apart.
SEALED = "f1:"
log = logging.getLogger(__name__)


def _box(secret_key: str | None = None) -> Fernet:
    """Fernet (AES-CBC + HMAC) under a key of its own, derived from SECRET_KEY by
    HKDF: the signing key itself is never used for encryption."""
    key = HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=b"ortsverein totp secrets v1",
    ).derive((secret_key or current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(secret: str, secret_key: str | None = None) -> str:
    """The TOTP secret as stored: encrypted and marked."""
    return SEALED + _box(secret_key).encrypt(secret.encode()).decode()


def unseal(stored: str | None) -> str | None:
    """The TOTP secret of a stored value; a legacy plain value is read as it is.
    None if it cannot be decrypted (SECRET_KEY changed): the second factor then
    fails until an admin resets it, it never falls back to no second factor."""
    if not stored or not stored.startswith(SEALED):
        return stored or None
    try:
        return _box().decrypt(stored.removeprefix(SEALED).encode()).decode()
    except InvalidToken:
        log.error("a TOTP secret cannot be decrypted: was SECRET_KEY changed?")
        return None


def verify_once(member: Member, code: str, secret: str | None = None) -> bool:
    """True for a current code (one step of clock drift either way) that is newer than
    the last one accepted; records its step so the same code cannot be replayed.
    A legacy plain secret is sealed on the way. The caller commits."""
    stored = None if secret else member.totp_secret
    secret = secret or unseal(stored)
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
            if stored and not stored.startswith(SEALED):
                member.totp_secret = seal(secret)
            return True
    return False


def seal_legacy_secrets(session: Session, secret_key: str) -> int:
    """Encrypt every TOTP secret still stored in plain text (from before 0.5.0), in
    one transaction; returns how many. Run by `ortsverein db upgrade`."""
    members = session.scalars(
        select(Member).where(
            Member.totp_secret.is_not(None), Member.totp_secret.not_like(SEALED + "%")
        )
    ).all()
    for member in members:
        if member.totp_secret is None:  # excluded by the query
            continue
        member.totp_secret = seal(member.totp_secret, secret_key)
    session.commit()
    return len(members)
