"""Backups and restores of the database (`ortsverein backup DIR`, `ortsverein restore
DIR`): pg_dump's custom format on PostgreSQL, SQLite's online backup API on SQLite,
beside a manifest.json with the time, schema revision, database kind and the audit
log's head. The ballot-key folder is never part of a backup (docs/secrecy.md)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import subprocess
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, delete, insert, make_url, select, text
from sqlalchemy.engine import URL

from models import AuditEntry, InstanceIdentity

from .db import make_engine

MANIFEST = "manifest.json"
FORMAT = 1


class BackupError(Exception):
    """The backup or restore cannot be made; the message says why."""


@dataclass(frozen=True)
class Target:
    kind: str  # "postgresql" or "sqlite"
    url: URL

    @classmethod
    def of(cls, database_url: str) -> Target:
        url = make_url(database_url)
        kind = url.get_backend_name()
        if kind not in ("postgresql", "sqlite"):
            raise BackupError(f"no backup for {kind} databases")
        if kind == "sqlite" and not url.database:
            raise BackupError("an in-memory SQLite database has nothing to back up")
        return cls(kind, url)

    def libpq(self) -> tuple[list[str], dict[str, str]]:
        """Connection options for pg_dump/pg_restore; the password goes in the
        environment, never on a command line other users can read."""
        args = ["--dbname", self.url.database or ""]
        if self.url.host:
            args += ["--host", self.url.host]
        if self.url.port:
            args += ["--port", str(self.url.port)]
        if self.url.username:
            args += ["--username", self.url.username]
        env = dict(os.environ)
        if self.url.password is not None:
            env["PGPASSWORD"] = str(self.url.password)
        return args, env


def _facts(conn: Connection) -> dict:
    """Schema revision and audit-log head as this connection's snapshot sees them."""
    revision = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    head = conn.execute(
        select(AuditEntry.id, AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)
    ).first()
    count = conn.execute(text("SELECT count(*) FROM audit_entries")).scalar()
    return {
        "schema_revision": revision,
        "audit_head": {"id": head.id, "hash": head.hash} if head else None,
        "audit_entries": count,
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {result.stderr.strip()[:2000]}")


def backup(database_url: str, folder: Path) -> dict:
    """Write a consistent copy of the database and its manifest into folder (new or
    empty). The manifest's facts are read in the very snapshot that is copied."""
    target = Target.of(database_url)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    if any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty; give a new folder for each backup")
    created = datetime.now(UTC).isoformat(timespec="seconds")
    if target.kind == "postgresql":
        name = "ortsverein.dump"
        engine = make_engine(database_url)
        try:
            with engine.connect() as conn:
                conn.execution_options(isolation_level="REPEATABLE READ")
                snapshot = conn.execute(text("SELECT pg_export_snapshot()")).scalar()
                facts = _facts(conn)
                args, env = target.libpq()
                # pg_dump reads exactly the snapshot the manifest describes.
                _run(
                    [
                        "pg_dump",
                        "--format=custom",
                        f"--snapshot={snapshot}",
                        "--no-owner",
                        "--file",
                        str(folder / name),
                        *args,
                    ],
                    env,
                )
                conn.rollback()
        finally:
            engine.dispose()
    else:
        name = "ortsverein.sqlite3"
        source = sqlite3.connect(target.url.database or "")
        copy = sqlite3.connect(folder / name)
        try:
            source.backup(copy)  # a consistent copy while the app keeps writing
        finally:
            copy.close()
            source.close()
        os.chmod(folder / name, 0o600)
        engine = make_engine(f"sqlite:///{folder / name}")
        try:
            with engine.connect() as conn:
                facts = _facts(conn)
        finally:
            engine.dispose()
    manifest = {
        "format": FORMAT,
        "created_at": created,
        "database": target.kind,
        "file": name,
        "sha256": _sha256(folder / name),
        **facts,
    }
    path = folder / MANIFEST
    path.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    os.chmod(path, 0o600)
    return manifest


def read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise BackupError(f"no readable {MANIFEST} in {folder}: {err}") from None
    if manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format')!r}")
    return manifest


def restore(database_url: str, folder: Path) -> dict:
    """Restore a backup into the configured database (of the same kind), check the
    audit log's head against the manifest, and give the database a new instance id:
    running processes then treat it as the new database it is."""
    target = Target.of(database_url)
    manifest = read_manifest(folder)
    if manifest["database"] != target.kind:
        raise BackupError(
            f"the backup is of a {manifest['database']} database, not {target.kind}"
        )
    data = folder / manifest["file"]
    if not data.is_file() or _sha256(data) != manifest["sha256"]:
        raise BackupError(f"{data} is missing or does not match the manifest")
    if target.kind == "postgresql":
        args, env = target.libpq()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                str(data),
            ],
            env,
        )
    else:
        source = sqlite3.connect(data)
        live = sqlite3.connect(target.url.database or "")
        try:
            source.backup(live)  # page by page under SQLite's own locks
        finally:
            live.close()
            source.close()
    engine = make_engine(database_url)
    try:
        with engine.begin() as conn:
            facts = _facts(conn)
            if facts["audit_head"] != manifest["audit_head"]:
                raise BackupError("the restored audit log's head is not the manifest's")
            conn.execute(delete(InstanceIdentity))
            conn.execute(
                insert(InstanceIdentity).values(
                    id=str(uuid.uuid4()), created_at=datetime.now(UTC)
                )
            )
    finally:
        engine.dispose()
    return manifest
