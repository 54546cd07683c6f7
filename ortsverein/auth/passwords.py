"""argon2id password hashes, with cost from the configuration. Hashing takes tens
of milliseconds of CPU (releasing the GIL): under gevent it runs on a real thread
(`greenlets.in_thread`) so that a wave of logins does not freeze every socket."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app

from models import Member

from ..greenlets import in_thread

MIN_PASSWORD_LENGTH = 10


def hasher() -> PasswordHasher:
    config = current_app.config
    return PasswordHasher(
        time_cost=config["ARGON2_TIME_COST"],
        memory_cost=config["ARGON2_MEMORY_COST"],
        parallelism=config["ARGON2_PARALLELISM"],
    )


def hash_password(password: str) -> str:
    return in_thread(hasher().hash, password)


_dummy_hash: dict[tuple, str] = {}


def check_password(member: Member | None, password: str) -> bool:
    """Verify, rehashing when the cost changed; as slow for unknown members."""
    ph = hasher()
    if member is None or member.password_hash is None:
        key = (ph.time_cost, ph.memory_cost, ph.parallelism)
        if key not in _dummy_hash:
            _dummy_hash[key] = in_thread(ph.hash, "dummy-password-for-timing")
        try:
            in_thread(ph.verify, _dummy_hash[key], password)
        except VerificationError:
            pass
        return False
    try:
        in_thread(ph.verify, member.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if ph.check_needs_rehash(member.password_hash):
        member.password_hash = in_thread(ph.hash, password)
    return True
