"""The board's CSV import of members: upload and preview (nothing written), then
confirm (checked again and written in one transaction). Uploads are personal data
and do not stay on disk: a preview expires after an hour and is then removed."""

from __future__ import annotations

import json
import os
import secrets
import time
from pathlib import Path

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]

from models import Organisation

from ..auth import services as auth_services
from ..auth.decorators import role_required
from ..db import db, write_intent
from ..i18n import _
from . import importer, services
from .forms import ImportConfirmForm, ImportForm
from .views import bp

PREVIEW_SECONDS = 3600  # how long a preview can be confirmed


def _upload_dir() -> Path:
    folder = Path(current_app.config["INSTANCE_PATH"]) / "imports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _write_private(path: Path, data: bytes) -> None:
    """Written readable by the app's user only, whatever the umask."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as file:
        file.write(data)


def _import_form() -> ImportForm:
    form = ImportForm()
    form.org.choices = [
        SelectChoice(str(o.id), o.name) for o in services.board_orgs(current_user)
    ]
    return form


def _discard_upload(upload_id: str) -> None:
    folder = _upload_dir()
    for suffix in (".csv", ".json", ".missing"):
        (folder / f"{upload_id}{suffix}").unlink(missing_ok=True)


def _purge_old_uploads(max_age: int = PREVIEW_SECONDS) -> None:
    """Membership lists are personal data: abandoned previews do not stay on disk.
    Run whenever the import pages are used, so an expired one is gone before it
    could be confirmed."""
    limit = time.time() - max_age
    for path in _upload_dir().iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink(missing_ok=True)
        except FileNotFoundError:  # removed by another request meanwhile
            continue


def _preview(
    data: bytes, scope: Organisation, upload_id: str, invite: bool, sync: bool
):
    try:
        plan = importer.plan_import(db.session, data, scope, current_user, sync=sync)
    except importer.ImportFileError as err:
        _discard_upload(upload_id)
        flash(str(err), "error")
        return render_template("members/import.html", form=_import_form()), 422
    if not plan.ok:
        _discard_upload(upload_id)  # nothing to confirm; keep no copy
    elif sync:
        # What the board confirms is exactly who is deactivated: the confirmation
        # is refused if that list has changed since.
        path = _upload_dir() / f"{upload_id}.missing"
        path.unlink(missing_ok=True)
        _write_private(path, json.dumps([m.id for m in plan.missing]).encode())
    confirm = ImportConfirmForm(
        upload=upload_id, invite="1" if invite else "", sync="1" if sync else ""
    )
    return render_template(
        "members/import_preview.html",
        plan=plan,
        scope=scope,
        confirm_form=confirm,
        invite=invite,
    )


@bp.route("/import", methods=["GET", "POST"])
@role_required("board")
def import_members():
    """Step 1: upload; every row is checked and previewed, nothing is written yet."""
    _purge_old_uploads()
    form = _import_form()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("members/import.html", form=form), status
    scope = services.check_scope(
        current_user, db.session.get(Organisation, form.org.data)
    )
    data = form.file.data.read()
    upload_id = secrets.token_urlsafe(16)
    folder = _upload_dir()
    _write_private(folder / f"{upload_id}.csv", data)
    meta = {"actor": current_user.id, "org": scope.id, "name": form.file.data.filename}
    _write_private(folder / f"{upload_id}.json", json.dumps(meta).encode())
    return _preview(data, scope, upload_id, form.invite.data, form.sync.data)


@bp.route("/import/confirm", methods=["POST"])
@role_required("board")
def import_confirm():
    """Step 2: re-check the stored file and write it in one transaction."""
    form = ImportConfirmForm()
    upload_id = form.upload.data or ""
    if (
        not form.validate_on_submit()
        or not upload_id.replace("-", "").replace("_", "").isalnum()
    ):
        abort(400)
    _purge_old_uploads()
    folder = _upload_dir()
    meta_path, data_path = folder / f"{upload_id}.json", folder / f"{upload_id}.csv"
    if not meta_path.exists():
        flash(
            _("Diese Vorschau ist nicht mehr gültig. Bitte lade die Datei neu hoch."),
            "error",
        )
        return redirect(url_for("members.import_members"))
    meta = json.loads(meta_path.read_text())
    if meta["actor"] != current_user.id:
        abort(404)
    scope = services.check_scope(
        current_user, db.session.get(Organisation, meta["org"])
    )
    data = data_path.read_bytes()
    invite = bool(form.invite.data)
    sync = bool(form.sync.data)
    missing_path = folder / f"{upload_id}.missing"
    if sync and not missing_path.exists():
        abort(400)
    with write_intent():
        plan = importer.plan_import(db.session, data, scope, current_user, sync=sync)
        if sync and [m.id for m in plan.missing] != json.loads(
            missing_path.read_text()
        ):
            db.session.rollback()
            flash(
                _(
                    "Seit der Vorschau hat sich geändert, wer nicht mehr in der Liste "
                    "steht; bitte prüfe die Vorschau erneut."
                ),
                "error",
            )
            return _preview(data, scope, upload_id, invite, sync)
        if not plan.ok:
            flash(
                _(
                    "Die Daten haben sich seit der Vorschau geändert; bitte prüfe die "
                    "Fehler."
                ),
                "error",
            )
            return _preview(data, scope, upload_id, invite, sync)
        numbers = importer.apply_import(
            db.session, plan, current_user, scope, source=meta["name"]
        )
    _discard_upload(upload_id)
    invited = 0
    if invite and numbers:
        invited = auth_services.invite_numbers(db.session, numbers, current_user)
        if invited < len(numbers):
            flash(
                _(
                    "Nicht alle Einladungen konnten verschickt werden. Versuche es "
                    "später über die Mitgliederliste erneut."
                ),
                "warning",
            )
    flash(
        _(
            "Import abgeschlossen: %(c)d neu, %(u)d aktualisiert, %(n)d unverändert, "
            "%(i)d Einladungen verschickt.",
            c=len(plan.creates),
            u=len(plan.updates),
            n=plan.unchanged,
            i=invited,
        ),
        "success",
    )
    if sync:
        flash(
            _(
                "%(d)d Mitglieder wurden deaktiviert, %(r)d wieder aktiviert.",
                d=len(plan.missing),
                r=plan.reactivated,
            ),
            "success",
        )
    return redirect(url_for("members.index", org=scope.slug))
