"""The resolutions book (Beschlussbuch) page of an organisation, searchable by
topic and year, and the motion committee's downloads of it."""

from __future__ import annotations

from flask import Response, abort, render_template, request
from flask_login import current_user

from models import Organisation
from ortsverein.auth.decorators import member_required
from ortsverein.db import db
from ortsverein.pagination import parse_page_args
from ortsverein.permissions import can_see_org

from . import bp, services
from . import resolutions as beschlussbuch

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def _org() -> Organisation:
    """The organisation asked for (the member's branch by default); 404 for one
    the member may not see."""
    org_id = request.args.get("org", type=int)
    org = (
        db.session.get(Organisation, org_id)
        if org_id is not None
        else current_user.home_branch
    )
    if org is None or not can_see_org(current_user, org):
        abort(404)
    return org


def _filters() -> beschlussbuch.Filters:
    year = request.args.get("year", type=int)
    if year is not None and not 1900 <= year <= 9999:
        year = None  # not a year: show every year rather than fail
    category = " ".join(request.args.get("category", "").split())[:200]
    return beschlussbuch.Filters(category=category, year=year)


@bp.route("/resolutions")
@member_required
def resolutions():
    org = _org()
    filters = _filters()
    page, per_page = parse_page_args(request.args, 25)
    result = beschlussbuch.search(
        db.session, org, filters, page=page, per_page=per_page
    )
    categories, years = beschlussbuch.choices(db.session, org)
    return render_template(
        "motions/resolutions.html",
        org=org,
        page=result,
        filters=filters,
        categories=categories,
        years=years,
        adopted_at=beschlussbuch.adopted_at,
        amendments=beschlussbuch.amendment_counts(
            db.session, [m.id for m in result.items]
        ),
        committee=services.can_organise(current_user, org),
        query={
            "org": org.id,
            "category": filters.category or None,
            "year": filters.year,
        },
    )


@bp.route("/resolutions/export.<fmt>")
@member_required
def resolutions_export(fmt: str):
    """The overview for the motion committee (the organisation's organisers)."""
    if fmt not in FORMATS:
        abort(404)
    org = _org()
    if not services.can_organise(current_user, org):
        abort(404)
    body = beschlussbuch.export(db.session, current_user, org, _filters(), fmt)
    response = Response(body, mimetype=FORMATS[fmt])
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"Beschlussbuch-{org.slug}.{fmt}"
    )
    return response
