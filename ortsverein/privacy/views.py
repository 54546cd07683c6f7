"""The privacy notice and the Impressum (public pages), and their editing by admins."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import select

from models import LegalKind, Organisation, RoleName

from ..auth.decorators import member_required
from ..db import db, write_intent
from ..errors import NotFound, ValidationFailed
from ..i18n import _
from ..permissions import orgs_with_role
from ..security import safe_next
from ..web import form_errors
from . import NOTICE_DUE, bp, end_read, record, texts
from .forms import LegalTextForm

TITLES = {
    LegalKind.PRIVACY: lambda: _("Datenschutzerklärung"),
    LegalKind.IMPRINT: lambda: _("Impressum"),
}
ENDPOINTS = {LegalKind.PRIVACY: "privacy.notice", LegalKind.IMPRINT: "privacy.imprint"}


def _org_by_slug(slug: str) -> Organisation:
    org = db.session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        abort(404)
    return org


def _page(kind: LegalKind, org: Organisation | None = None, **extra):
    s = db.session
    if org is None:
        text = texts.current(s, kind)
        chain = (
            current_user.home.ancestor_ids() if current_user.is_authenticated else []
        )
        own = texts.sections(s, kind, chain)
        others = [
            o for o in texts.organisations_with_sections(s, kind) if o.id not in chain
        ]
    else:
        text, own, others = None, texts.sections(s, kind, [org.id]), []
        if not own:
            abort(404)
    root = texts.root_organisation(s)
    editable = current_user.is_authenticated and texts.may_edit(current_user, org, root)
    # Organisations whose section this admin may write (the root's is the text).
    section_orgs = (
        [
            o
            for o in orgs_with_role(current_user, RoleName.ADMIN)
            if root is None or o.id != root.id
        ]
        if current_user.is_authenticated and org is None
        else []
    )
    return render_template(
        "privacy/legal.html",
        kind=kind.value,
        title=TITLES[kind](),
        text=text,
        own_sections=own,
        other_orgs=others,
        org=org,
        editable=editable,
        section_orgs=section_orgs,
        endpoint=ENDPOINTS[kind],
        record=record.entries() if kind == LegalKind.PRIVACY and org is None else [],
        **extra,
    )


@bp.route("/datenschutz")
def notice():
    """The privacy notice; right after a login that found it unseen, it is recorded
    as shown (which version, when) and offers the way on."""
    next_url = None
    if session.get(NOTICE_DUE) and current_user.is_authenticated:
        end_read(db.session)
        with write_intent():
            texts.acknowledge(db.session, current_user)
        session.pop(NOTICE_DUE, None)
        next_url = safe_next(request.args.get("next"))
    return _page(LegalKind.PRIVACY, next_url=next_url)


@bp.route("/datenschutz/<slug>")
def notice_section(slug: str):
    return _page(LegalKind.PRIVACY, _org_by_slug(slug))


@bp.route("/impressum")
def imprint():
    return _page(LegalKind.IMPRINT)


@bp.route("/impressum/<slug>")
def imprint_section(slug: str):
    return _page(LegalKind.IMPRINT, _org_by_slug(slug))


@bp.route(
    "/datenschutz/edit", methods=["GET", "POST"], defaults={"page": "datenschutz"}
)
@bp.route("/impressum/edit", methods=["GET", "POST"], defaults={"page": "impressum"})
@member_required
def edit(page: str):
    """An admin writes the instance's text, or (?org=ID) their organisation's."""
    kind = LegalKind.PRIVACY if page == "datenschutz" else LegalKind.IMPRINT
    org_id = request.args.get("org", type=int)
    org = db.session.get(Organisation, org_id) if org_id else None
    if org_id and org is None:
        abort(404)
    if not texts.may_edit(current_user, org, texts.root_organisation(db.session)):
        abort(404)
    existing = texts.current(db.session, kind, org.id if org else None)
    form = LegalTextForm(data={"body": existing.body if existing else ""})
    if form.validate_on_submit():
        try:
            texts.save(db.session, current_user, kind, org, form.body.data or "")
        except ValidationFailed as err:
            db.session.rollback()
            form_errors(form, err)
        except NotFound:
            abort(404)
        else:
            flash(_("Gespeichert. Der neue Text gilt ab sofort."), "success")
            target = (
                url_for(ENDPOINTS[kind] + "_section", slug=org.slug)
                if org and form.body.data and form.body.data.strip()
                else url_for(ENDPOINTS[kind])
            )
            return redirect(target)
    return render_template(
        "privacy/edit.html",
        form=form,
        title=TITLES[kind](),
        org=org,
        existing=existing,
    ), (422 if form.errors else 200)
