"""Data exports (GDPR Art. 15/20): a request creates a job; a thread (or the next
`ortsverein retention`, for one a restart interrupted) writes the ZIP into the
instance folder and emails the member a link; only that member can download it,
for EXPORT_DAYS, and then it is deleted."""

from __future__ import annotations

import io
import json
import os
import secrets
import threading
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import DataExport, ExportStatus, Member, utcnow

from .. import audit, mail
from ..db import db, rowcount, write_intent
from ..errors import Conflict, NotFound
from ..i18n import _
from ..permissions import can_manage_member
from . import collect, end_read

# A job left pending or running this long was lost (the process ended): rebuild it.
STALE_AFTER = timedelta(minutes=10)
ONE_PER = timedelta(days=1)  # a member's exports: at most one ready export a day


def export_dir(instance_path: str) -> Path:
    folder = Path(instance_path) / "exports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def latest(session: Session, member: Member) -> list[DataExport]:
    """The member's exports that can still be seen (newest first)."""
    return list(
        session.scalars(
            select(DataExport)
            .where(DataExport.member_id == member.id)
            .order_by(DataExport.id.desc())
            .limit(5)
        )
    )


def request_export(session: Session, actor: Member, member: Member) -> DataExport:
    """A new export job for a member, asked by the member or by a board that manages
    them; one at a time. The caller starts the build after the commit."""
    if actor.id != member.id and not can_manage_member(actor, member):
        raise NotFound()
    busy = session.scalar(
        select(DataExport.id).where(
            DataExport.member_id == member.id,
            DataExport.status.in_([ExportStatus.PENDING, ExportStatus.RUNNING]),
        )
    )
    if busy is not None:
        raise Conflict(
            _("Eine Auskunft wird gerade erstellt; bitte warte, bis sie fertig ist.")
        )
    recent = session.scalar(
        select(DataExport.id).where(
            DataExport.member_id == member.id,
            DataExport.status == ExportStatus.READY,
            DataExport.created_at > utcnow() - ONE_PER,
        )
    )
    if recent is not None:
        # As Discourse does: one a day is enough, and building one costs.
        raise Conflict(
            _(
                "Heute wurde schon eine Auskunft erstellt; sie ist unten abrufbar. "
                "Eine neue kann morgen angefordert werden."
            )
        )
    export = DataExport(member_id=member.id, requested_by_id=actor.id)
    session.add(export)
    session.flush()
    audit.record(
        session,
        actor,
        "data_export.requested",
        organisation=member.home_branch,
        target=member,
        by="self" if actor.id == member.id else "board",
    )
    session.commit()
    return export


def archive(files: dict[str, object], readme: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("LIESMICH.txt", readme)
        for name, content in files.items():
            zf.writestr(
                name, json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True)
            )
    return buffer.getvalue()


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)


def _readme() -> str:
    return _(
        "Alles, was Ortsverein über dich gespeichert hat (Art. 15 und 20 DSGVO), "
        "als JSON-Dateien. In polls.json steht, an welchen Abstimmungen du "
        "teilgenommen hast, nie deine Stimme: geheime Stimmzettel werden getrennt "
        "von dir gespeichert, niemand kann sie dir zuordnen."
    )


def build(session: Session, export_id: int, now: datetime | None = None) -> bool:
    """Build one job (claimed first, so two builders never write the same one); the
    member gets an email with the link. False when another builder had it."""
    now = now or utcnow()
    end_read(session)
    with write_intent():
        claimed = rowcount(
            session.execute(
                update(DataExport)
                .where(
                    DataExport.id == export_id,
                    DataExport.status == ExportStatus.PENDING,
                )
                .values(status=ExportStatus.RUNNING, started_at=now)
            )
        )
        session.commit()
    if not claimed:
        return False
    export = session.get(DataExport, export_id)
    if export is None:  # the account was deleted meanwhile
        return True
    session.refresh(export)
    member = export.member
    try:
        with force_locale(member.locale or "de"):
            data = archive(collect.everything(session, member), _readme())
        name = secrets.token_hex(16) + ".zip"
        _write_private(export_dir(current_app.config["INSTANCE_PATH"]) / name, data)
    except Exception:
        current_app.logger.exception("data export %d failed", export_id)
        end_read(session)
        with write_intent():
            export.status = ExportStatus.FAILED
            export.finished_at = utcnow()
            session.commit()
        return True
    end_read(session)
    with write_intent():
        export.status = ExportStatus.READY
        export.file_name = name
        export.size = len(data)
        export.finished_at = utcnow()
        export.expires_at = export.finished_at + timedelta(
            days=current_app.config["EXPORT_DAYS"]
        )
        session.commit()
    mail.send([_ready_message(member, export)])
    return True


def _ready_message(member: Member, export: DataExport):
    base = current_app.config["BASE_URL"].rstrip("/")
    with force_locale(member.locale or "de"):
        body = _(
            "Hallo %(name)s,\n\n"
            "deine Datenauskunft ist fertig. Du kannst sie nach der Anmeldung bis "
            "%(until)s herunterladen; danach wird sie gelöscht:\n%(url)s\n\n"
            "Wenn du keine Auskunft angefordert hast, hat dein Vorstand sie für dich "
            "erstellt; nur du kannst sie herunterladen.",
            name=member.first_name,
            until=export.expires_at.strftime("%d.%m.%Y") if export.expires_at else "",
            url=f"{base}/profile/data",
        )
        subject = _("Deine Datenauskunft ist fertig")
    return mail.build_message(member.email, subject, body)


def start_in_background(app: Flask, export_id: int) -> None:
    """Build after the request that asked for it has answered."""

    def work():
        with app.app_context():
            try:
                build(db.session, export_id)
            finally:
                db.session.close()

    threading.Thread(target=work, daemon=True, name=f"export-{export_id}").start()


def build_stale(session: Session, now: datetime) -> int:
    """Jobs a restart left behind: pending or running for too long; built again."""
    stale = list(
        session.scalars(
            select(DataExport.id).where(
                DataExport.status.in_([ExportStatus.PENDING, ExportStatus.RUNNING]),
                DataExport.created_at < now - STALE_AFTER,
            )
        )
    )
    end_read(session)
    with write_intent():
        session.execute(
            update(DataExport)
            .where(DataExport.id.in_(stale))
            .values(status=ExportStatus.PENDING)
        )
        session.commit()
    return sum(build(session, export_id) for export_id in stale)


def download(
    session: Session, member: Member, export_id: int
) -> tuple[DataExport, Path]:
    """The file of one of the member's own ready exports; any other is not found."""
    export = session.get(DataExport, export_id)
    if (
        export is None
        or export.member_id != member.id
        or export.status != ExportStatus.READY
        or export.file_name is None
        or export.expires_at is None
        or export.expires_at <= utcnow()
    ):
        raise NotFound()
    path = export_dir(current_app.config["INSTANCE_PATH"]) / export.file_name
    if not path.is_file():
        raise NotFound()
    return export, path


def expired(session: Session, now: datetime) -> list[DataExport]:
    return list(
        session.scalars(
            select(DataExport).where(
                (DataExport.expires_at < now)
                | (
                    (DataExport.status == ExportStatus.FAILED)
                    & (DataExport.created_at < now - timedelta(days=1))
                )
            )
        )
    )


def remove(session: Session, exports: list[DataExport], instance_path: str) -> int:
    """Delete the files and rows (caller commits)."""
    folder = export_dir(instance_path)
    for export in exports:
        if export.file_name:
            (folder / export.file_name).unlink(missing_ok=True)
        session.delete(export)
    return len(exports)
