"""The admins' pages for the organisation tree; the rules are in services.py."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]

from models import Organisation

from ..auth.decorators import role_required
from ..db import db, write_intent
from ..errors import ValidationFailed
from ..i18n import _
from ..web import back_to, form_errors, load
from . import merge as tree_merge
from . import services
from .forms import ConfirmForm, CreateForm, MergeForm, MoveForm, RenameForm

bp = Blueprint("orgs", __name__, url_prefix="/orgs")


def _choices(orgs: list[Organisation], skip: Organisation | None = None) -> list:
    depth = {o.id: len(o.ancestor_ids()) for o in orgs}
    low = min(depth.values(), default=1)
    return [
        SelectChoice(o.id, "· " * (depth[o.id] - low) + o.name)
        for o in orgs
        if skip is None or not o.path.startswith(skip.path)
    ]


@bp.route("/")
@role_required("admin")
def index():
    """The tree the admin administers, with a form for a new branch."""
    orgs = services.admin_orgs(db.session, current_user)
    form = CreateForm()
    form.parent_id.choices = _choices(orgs)
    return render_template("orgs/index.html", orgs=orgs, form=form, low=_low(orgs))


def _low(orgs: list[Organisation]) -> int:
    return min((len(o.ancestor_ids()) for o in orgs), default=1)


@bp.route("/new", methods=["POST"])
@role_required("admin")
def create():
    orgs = services.admin_orgs(db.session, current_user)
    form = CreateForm()
    form.parent_id.choices = _choices(orgs)
    if form.validate_on_submit():
        try:
            with write_intent():
                org = services.create_org(
                    db.session,
                    current_user,
                    form.parent_id.data,
                    name=form.name.data or "",
                    slug=form.slug.data or "",
                    level=form.level.data,
                )
            flash(_("„%(name)s“ wurde angelegt.", name=org.name), "success")
            return redirect(url_for("orgs.detail", org_id=org.id))
        except ValidationFailed as err:
            db.session.rollback()
            form_errors(form, err)
    return render_template("orgs/index.html", orgs=orgs, form=form, low=_low(orgs)), 422


def _forms(org: Organisation):
    orgs = services.admin_orgs(db.session, current_user)
    rename = RenameForm(prefix="rename", name=org.name)
    move = MoveForm(prefix="move", parent_id=org.parent_id)
    move.parent_id.choices = _choices(orgs, skip=org)
    merge_form = MergeForm(prefix="merge")
    merge_form.target_id.choices = _choices(
        [o for o in orgs if o.id != org.id], skip=org
    )
    return {
        "rename": rename,
        "move": move,
        "merge": merge_form,
        "dissolve": ConfirmForm(),
    }


@bp.route("/<int:org_id>")
@role_required("admin")
def detail(org_id: int):
    org = load(services.get_admin_org, org_id)
    return render_template("orgs/detail.html", org=org, **_forms(org))


@bp.route("/<int:org_id>/rename", methods=["POST"])
@role_required("admin")
def rename(org_id: int):
    org = load(services.get_admin_org, org_id)
    forms = _forms(org)
    back_to(url_for("orgs.detail", org_id=org_id))
    if forms["rename"].validate_on_submit():
        with write_intent():
            services.rename_org(
                db.session, current_user, org_id, forms["rename"].name.data
            )
        flash(_("Der Name wurde geändert."), "success")
        return redirect(url_for("orgs.detail", org_id=org_id))
    return render_template("orgs/detail.html", org=org, **forms), 422


@bp.route("/<int:org_id>/move", methods=["POST"])
@role_required("admin")
def move(org_id: int):
    org = load(services.get_admin_org, org_id)
    form = MoveForm(prefix="move")
    back_to(url_for("orgs.detail", org_id=org_id))
    with write_intent():
        services.move_org(
            db.session, current_user, org_id, _int(form.parent_id.raw_data)
        )
    flash(_("„%(name)s“ wurde verschoben.", name=org.name), "success")
    return redirect(url_for("orgs.detail", org_id=org_id))


def _int(raw) -> int:
    try:
        return int((raw or [""])[0])
    except ValueError:
        return 0


@bp.route("/<int:org_id>/merge", methods=["POST"])
@role_required("admin")
def merge_preview(org_id: int):
    """Step 1: what would move; nothing is written yet."""
    form = MergeForm(prefix="merge")
    back_to(url_for("orgs.detail", org_id=org_id))
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("orgs.detail", org_id=org_id))
    preview = tree_merge.merge_preview(
        db.session, current_user, org_id, _int(form.target_id.raw_data)
    )
    return render_template("orgs/merge.html", preview=preview, confirm=ConfirmForm())


@bp.route("/<int:org_id>/merge/<int:target_id>", methods=["POST"])
@role_required("admin")
def merge(org_id: int, target_id: int):
    """Step 2: checked again and written in one transaction."""
    back_to(url_for("orgs.detail", org_id=org_id))
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("orgs.detail", org_id=org_id))
    with write_intent():
        preview = tree_merge.merge_orgs(db.session, current_user, org_id, target_id)
    flash(
        _(
            "„%(s)s“ ist in „%(t)s“ aufgegangen.",
            s=preview.source.name,
            t=preview.target.name,
        ),
        "success",
    )
    return redirect(url_for("orgs.detail", org_id=target_id))


@bp.route("/<int:org_id>/dissolve", methods=["POST"])
@role_required("admin")
def dissolve(org_id: int):
    org = load(services.get_admin_org, org_id)
    back_to(url_for("orgs.detail", org_id=org_id))
    if ConfirmForm().validate_on_submit():
        name = org.name
        with write_intent():
            tree_merge.dissolve_org(db.session, current_user, org_id)
        flash(_("„%(name)s“ wurde aufgelöst.", name=name), "success")
    return redirect(url_for("orgs.index"))
