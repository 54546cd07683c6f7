"""What the app keeps on disk is readable by its own user only, and import
previews (membership lists) expire and are removed."""

from __future__ import annotations

import io
import os
import re
import stat
import time
from pathlib import Path

import pytest
from sqlalchemy import text

from ortsverein import create_app

GOOD = (
    "Mitgliedsnummer;Vorname;Nachname;E-Mail;Gliederung\n"
    "N-9001;Erika;Mustermann;erika@example.org;ov-nord\n"
)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def open_umask():
    old = os.umask(0o022)  # the usual default: files readable by everyone
    yield
    os.umask(old)


def test_a_new_instance_folder_and_sqlite_database_are_private(tmp_path, open_umask):
    instance = tmp_path / "fresh" / "instance"
    database = instance / "ortsverein.db"
    app = create_app(
        "testing", DATABASE_URL=f"sqlite:///{database}", INSTANCE_PATH=str(instance)
    )
    with app.app_context():
        from ortsverein.db import db

        db.session.execute(text("CREATE TABLE t (x INTEGER)"))
        db.session.execute(text("INSERT INTO t VALUES (1)"))
        db.session.commit()
        assert _mode(instance) == 0o700
        assert _mode(database) == 0o600
        assert _mode(Path(f"{database}-wal")) == 0o600
    app.extensions["ortsverein_db"][0].dispose()


def _upload(auth, world):
    data = {"org": str(world.nord.id), "file": (io.BytesIO(GOOD.encode()), "l.csv")}
    page = auth.post("/members/import", data, content_type="multipart/form-data")
    html = page.get_data(as_text=True)
    return re.search(r'name="upload" type="hidden" value="([^"]+)"', html).group(1)


def test_preview_files_are_private(world, auth, app, open_umask):
    auth.login(world.board)
    upload = _upload(auth, world)
    folder = Path(app.config["INSTANCE_PATH"]) / "imports"
    assert _mode(folder) == 0o700
    for suffix in (".csv", ".json"):
        assert _mode(folder / f"{upload}{suffix}") == 0o600


def test_an_expired_preview_cannot_be_confirmed_and_is_removed(world, auth, app):
    auth.login(world.board)
    upload = _upload(auth, world)
    folder = Path(app.config["INSTANCE_PATH"]) / "imports"
    old = time.time() - 2 * 3600
    for path in folder.iterdir():
        os.utime(path, (old, old))
    response = auth.post("/members/import/confirm", {"upload": upload, "invite": ""})
    assert response.status_code == 302
    assert list(folder.iterdir()) == []
    page = auth.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Diese Vorschau ist nicht mehr gültig." in page


def test_stale_previews_go_when_the_import_page_is_opened(world, auth, app):
    auth.login(world.board)
    _upload(auth, world)
    folder = Path(app.config["INSTANCE_PATH"]) / "imports"
    old = time.time() - 2 * 3600
    for path in folder.iterdir():
        os.utime(path, (old, old))
    assert auth.client.get("/members/import").status_code == 200
    assert list(folder.iterdir()) == []
