"""Board pages: member list, member detail, roles and access, audit log. The CSV
import is in import_views.py."""

from __future__ import annotations

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
from sqlalchemy.orm import selectinload

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]

from models import AuditEntry, Member, Organisation, RoleName

from .. import audit
from ..auth import services as auth_services
from ..auth.decorators import role_required
from ..auth.forms import ConfirmForm
from ..db import db
from ..errors import NotFound
from ..extensions import limiter
from ..i18n import _
from ..pagination import paginate, parse_page_args
from ..permissions import has_role, holds_role, subtree_clause
from ..web import back_to
from . import audit_text, services
from .forms import PolicyForm, RoleForm

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
        is_admin=holds_role(current_user, RoleName.ADMIN),
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
    """Run a service and go back to the member's page (a refusal is shown there by
    error_pages.handle_domain; an unknown id is a 404)."""
    target = url_for("members.detail", member_id=member_id)
    back_to(target)
    action()
    flash(success, "success")
    return redirect(target)


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


# --- audit log ------------------------------------------------------------------


@bp.route("/audit")
@limiter.limit("6 per minute", exempt_when=lambda: not request.args.get("verify"))
@role_required("board")
def audit_log():
    page, per_page = parse_page_args(request.args, current_app.config["AUDIT_PER_PAGE"])
    scope = services.board_orgs(current_user)
    stmt = (
        select(AuditEntry)
        .options(selectinload(AuditEntry.actor))
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
        lines=audit_text.describe(db.session, result.items, role_label),
        action=action,
        report=audit.verify_chain(db.session) if request.args.get("verify") else None,
    )
