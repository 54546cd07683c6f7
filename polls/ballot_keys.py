"""Each secret poll's key pair. The public key is stored with the poll and seals
every ballot (libsodium sealed boxes through PyNaCl: X25519 + XSalsa20-Poly1305,
anonymous to the sender). The private key never enters the database: it is a file
in the key folder (BALLOT_KEY_DIR, 0700; files 0600), read by every app process,
and destroyed once sealing has written the plaintext box. From then on no copy of
the database taken while the poll was open can be opened by anyone."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from flask import current_app
from nacl.exceptions import CryptoError
from nacl.public import PrivateKey, PublicKey, SealedBox

from ortsverein.greenlets import map_in_threads

KEY_BYTES = 32


class KeyUnusable(Exception):
    """The key file is there but does not open this poll's ballots."""


def key_dir() -> Path:
    """The key folder, created 0700 (its parents as the instance folder is)."""
    folder = Path(current_app.config["BALLOT_KEY_DIR"])
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def key_path(poll_id: int) -> Path:
    """Where the poll's private key is; only looking, so the folder is created by
    whoever writes into it. Every secret ballot asks has_key(): a mkdir there
    cost more than the look itself."""
    return Path(current_app.config["BALLOT_KEY_DIR"]) / f"poll-{int(poll_id)}.key"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def share_path(poll_id: int, member_id: int) -> Path:
    """Where an escrowed poll's key share waits for its holder (polls/escrow.py)."""
    return key_dir() / f"poll-{int(poll_id)}.share-{int(member_id)}"


def write_private_key(poll_id: int, secret: bytes) -> None:
    key_dir()
    write_secret_file(key_path(poll_id), secret)


def write_secret_file(path: Path, secret: bytes) -> None:
    """Store a secret durably: a temporary file (0600) written and synced, then
    renamed over the final name, and the folder synced."""
    temporary = path.with_suffix(f".tmp{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, secret)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)
    _fsync_dir(path.parent)


def create(poll_id: int, escrow: Callable[[bytes], None] | None = None) -> bytes:
    """A new key pair for the poll: the private key to its file (and, for an
    escrowed poll, to `escrow`, which writes its shares), the public key returned
    for the poll's row. Written before that row is committed, so a poll with a
    public key always had its private key stored."""
    private = PrivateKey.generate()
    write_private_key(poll_id, bytes(private))
    if escrow is not None:
        escrow(bytes(private))
    return bytes(private.public_key)


def public_key_of(secret: bytes) -> bytes:
    return bytes(PrivateKey(secret).public_key)


def has_key(poll_id: int) -> bool:
    return os.path.isfile(key_path(poll_id))


def private_key(poll_id: int, public_key: bytes) -> PrivateKey | None:
    """The poll's private key, or None when its file is gone. A file that does not
    belong to the poll's public key (a stray copy, a different instance) is
    refused rather than used: it would open none of the ballots."""
    try:
        raw = key_path(poll_id).read_bytes()
    except FileNotFoundError:
        return None
    if len(raw) != KEY_BYTES:
        raise KeyUnusable(f"key file of poll {poll_id} has {len(raw)} bytes")
    private = PrivateKey(raw)
    if bytes(private.public_key) != public_key:
        raise KeyUnusable(f"key file of poll {poll_id} belongs to another key")
    return private


def destroy(poll_id: int) -> bool:
    """Destroy a poll's private key. True when there was a file."""
    return destroy_file(key_path(poll_id))


def destroy_file(path: Path) -> bool:
    """Destroy a secret: overwrite the file, sync, unlink, sync the folder. True
    when there was a file."""
    try:
        fd = os.open(path, os.O_WRONLY)
    except FileNotFoundError:
        return False
    try:
        size = os.fstat(fd).st_size
        os.write(fd, os.urandom(max(size, KEY_BYTES)))
        os.fsync(fd)
    finally:
        os.close(fd)
    path.unlink()
    _fsync_dir(path.parent)
    return True


def seal(public_key: bytes, plaintext: str) -> bytes:
    """A ballot's canonical text sealed to the poll's public key."""
    return SealedBox(PublicKey(public_key)).encrypt(plaintext.encode())


# Boxes per thread when a sealing opens a large box: opening one costs some 40 µs
# in libsodium, which releases the GIL, so two cores open 400,000 in half the time.
OPEN_CHUNK = 20_000


def open_all(private: PrivateKey, boxes: list[bytes]) -> list[str]:
    """Every sealed ballot's canonical text, in order, on all cores."""
    chunks = [boxes[i : i + OPEN_CHUNK] for i in range(0, len(boxes), OPEN_CHUNK)]
    opened = map_in_threads(
        lambda chunk: [open_sealed(private, box) for box in chunk],
        chunks,
        os.cpu_count() or 1,
    )
    return [line for chunk in opened for line in chunk]


def open_sealed(private: PrivateKey, box: bytes) -> str:
    """A sealed ballot's canonical text; KeyUnusable if the key does not open it."""
    try:
        return SealedBox(private).decrypt(box).decode()
    except CryptoError as err:
        raise KeyUnusable("a sealed ballot does not open with the poll's key") from err
