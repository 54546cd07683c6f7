"""Board pages: member list, member detail, CSV import, audit log."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields import SelectChoice

from models import AuditEntry, Member, Organisation, RoleName

from .. import audit
from ..auth import services as auth_services
from ..auth.decorators import role_required
from ..auth.forms import ConfirmForm
from ..db import db, write_intent
from ..errors_domain import DomainError, NotFound
from ..extensions import limiter
from ..i18n import _
from ..pagination import paginate, parse_page_args
from ..permissions import has_role, subtree_clause
from . import importer, services
from .forms import ImportConfirmForm, ImportForm, PolicyForm, RoleForm

bp = Blueprint("members", __name__, url_prefix="/members")

ROLE_LABELS = {
    "member": lambda: _("Mitglied"),
    "organiser": lambda: _("Moderation"),
    "board": lambda: _("Vorstand"),
    "admin": lambda: _("Administration"),
}


@bp.app_template_filter("role_label")
def role_label(role) -> str:
    return ROLE_LABELS[str(getattr(role, "value", role))]()


def _org_from_args() -> Organisation | None:
    slug = request.args.get("org")
    if not slug:
        return None
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None or not has_role(current_user, org, RoleName.BOARD):
        abort(404)
    return org


@bp.route("/")
@role_required("board")
def index():
    org = _org_from_args()
    page, per_page = parse_page_args(
        request.args, current_app.config["MEMBERS_PER_PAGE"]
    )
    status = request.args.get("status", "all")
    if status not in services.STATUS_FILTERS:
        status = "all"
    query = request.args.get("q", "")[:100]
    result = services.list_members(
        db.session,
        current_user,
        org=org,
        query=query,
        status=status,
        page=page,
        per_page=per_page,
    )
    policy_forms = {
        o.id: PolicyForm(required=o.require_2fa_for_staff, prefix=f"p{o.id}")
        for o in services.board_orgs(current_user)
    }
    return render_template(
        "members/index.html",
        page=result,
        org=org,
        query=query,
        status=status,
        board_orgs=services.board_orgs(current_user),
        policy_forms=policy_forms,
    )


def _member_or_404(member_id: int) -> Member:
    try:
        return services.get_member(db.session, current_user, member_id)
    except NotFound:
        abort(404)


def _role_form(target: Member) -> RoleForm:
    form = RoleForm()
    form.grant.choices = [
        SelectChoice(f"{org.id}:{role.value}", f"{role_label(role)} – {org.name}")
        for org, roles in services.role_choices(current_user, target)
        for role in roles
    ]
    return form


@bp.route("/<int:member_id>")
@role_required("board")
def detail(member_id: int):
    target = _member_or_404(member_id)
    return render_template(
        "members/detail.html",
        member=target,
        role_form=_role_form(target),
        confirm_form=ConfirmForm(),
    )


def _run(action, success: str, member_id: int):
    """Run a service; domain errors become a flash, unknown ids a 404."""
    try:
        action()
    except NotFound:
        abort(404)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "error")
    else:
        flash(success, "success")
    return redirect(url_for("members.detail", member_id=member_id))


@bp.route("/<int:member_id>/roles", methods=["POST"])
@role_required("board")
def grant_role(member_id: int):
    target = _member_or_404(member_id)
    form = _role_form(target)
    if not form.validate_on_submit():
        flash(_("Bitte wähle eine Rolle aus der Liste."), "error")
        return redirect(url_for("members.detail", member_id=member_id))
    org_id, _sep, role = form.grant.data.partition(":")
    return _run(
        lambda: services.grant_role(
            db.session, current_user, member_id, int(org_id), RoleName(role)
        ),
        _("Die Rolle ist vergeben."),
        member_id,
    )


@bp.route("/<int:member_id>/roles/<int:role_id>/revoke", methods=["POST"])
@role_required("board")
def revoke_role(member_id: int, role_id: int):
    _member_or_404(member_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _run(
        lambda: services.revoke_role(db.session, current_user, member_id, role_id),
        _("Die Rolle ist entzogen."),
        member_id,
    )


@bp.route("/<int:member_id>/deactivate", methods=["POST"])
@role_required("board")
def deactivate(member_id: int):
    _member_or_404(member_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _run(
        lambda: services.set_active(db.session, current_user, member_id, False),
        _("Das Mitglied ist deaktiviert; alle Sitzungen sind beendet."),
        member_id,
    )


@bp.route("/<int:member_id>/reactivate", methods=["POST"])
@role_required("board")
def reactivate(member_id: int):
    _member_or_404(member_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return _run(
        lambda: services.set_active(db.session, current_user, member_id, True),
        _("Das Mitglied ist wieder aktiv."),
        member_id,
    )


@bp.route("/<int:member_id>/invite", methods=["POST"])
@role_required("board")
def invite(member_id: int):
    target = _member_or_404(member_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    if target.activated:
        flash(_("Dieses Mitglied hat seinen Zugang schon eingerichtet."), "info")
        return redirect(url_for("members.detail", member_id=member_id))
    if auth_services.invite(db.session, [target], current_user):
        flash(_("Die Einladung ist verschickt."), "success")
    else:
        flash(
            _(
                "Die E-Mail konnte nicht verschickt werden. Bitte versuche es später "
                "noch einmal."
            ),
            "error",
        )
    return redirect(url_for("members.detail", member_id=member_id))


@bp.route("/policy/<int:org_id>", methods=["POST"])
@role_required("board")
def policy(org_id: int):
    form = PolicyForm(prefix=f"p{org_id}")
    if not form.validate_on_submit():
        abort(400)
    try:
        services.set_require_2fa(db.session, current_user, org_id, form.required.data)
    except NotFound:
        abort(404)
    flash(_("Die Einstellung ist gespeichert."), "success")
    return redirect(url_for("members.index"))


# --- CSV import -------------------------------------------------------------------


def _upload_dir() -> Path:
    folder = Path(current_app.config["INSTANCE_PATH"]) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _import_form() -> ImportForm:
    form = ImportForm()
    form.org.choices = [
        SelectChoice(str(o.id), o.name) for o in services.board_orgs(current_user)
    ]
    return form


def _discard_upload(upload_id: str) -> None:
    folder = _upload_dir()
    for suffix in (".csv", ".json"):
        (folder / f"{upload_id}{suffix}").unlink(missing_ok=True)


def _purge_old_uploads(max_age: int = 3600) -> None:
    """Membership lists are personal data: abandoned previews do not stay on disk."""
    limit = time.time() - max_age
    for path in _upload_dir().iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)


def _preview(data: bytes, scope: Organisation, upload_id: str, invite: bool):
    try:
        plan = importer.plan_import(db.session, data, scope, current_user)
    except importer.ImportFileError as err:
        _discard_upload(upload_id)
        flash(str(err), "error")
        return render_template("members/import.html", form=_import_form()), 422
    if not plan.ok:
        _discard_upload(upload_id)  # nothing to confirm; keep no copy
    confirm = ImportConfirmForm(upload=upload_id, invite="1" if invite else "")
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
    form = _import_form()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("members/import.html", form=form), status
    scope = services.check_scope(
        current_user, db.session.get(Organisation, form.org.data)
    )
    data = form.file.data.read()
    _purge_old_uploads()
    upload_id = secrets.token_urlsafe(16)
    folder = _upload_dir()
    (folder / f"{upload_id}.csv").write_bytes(data)
    (folder / f"{upload_id}.json").write_text(
        json.dumps(
            {"actor": current_user.id, "org": scope.id, "name": form.file.data.filename}
        )
    )
    return _preview(data, scope, upload_id, form.invite.data)


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
    with write_intent():
        plan = importer.plan_import(db.session, data, scope, current_user)
        if not plan.ok:
            flash(
                _(
                    "Die Daten haben sich seit der Vorschau geändert; bitte prüfe die "
                    "Fehler."
                ),
                "error",
            )
            return _preview(data, scope, upload_id, invite)
        numbers = importer.apply_import(
            db.session, plan, current_user, scope, source=meta["name"]
        )
    meta_path.unlink(missing_ok=True)
    data_path.unlink(missing_ok=True)
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
    return redirect(url_for("members.index", org=scope.slug))


# --- audit log ------------------------------------------------------------------


@bp.route("/audit")
@limiter.limit("6 per minute", exempt_when=lambda: not request.args.get("verify"))
@role_required("board")
def audit_log():
    page, per_page = parse_page_args(request.args, current_app.config["AUDIT_PER_PAGE"])
    scope = services.board_orgs(current_user)
    stmt = (
        select(AuditEntry)
        .outerjoin(Organisation, AuditEntry.organisation_id == Organisation.id)
        .order_by(AuditEntry.id.desc())
    )
    if not any(
        has_role(current_user, o, RoleName.ADMIN) and o.parent_id is None for o in scope
    ):
        stmt = stmt.where(subtree_clause(scope))
    action = request.args.get("action", "")[:60]
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    result = paginate(db.session, stmt, page, per_page)
    return render_template(
        "members/audit.html",
        page=result,
        action=action,
        report=audit.verify_chain(db.session) if request.args.get("verify") else None,
    )
