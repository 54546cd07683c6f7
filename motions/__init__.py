"""Motions (Anträge): motion books of an organisation, motions with supporters and
a status history, decided by the motion committee. A feature of its own; it uses
forums through `discussions.services` and meetings through `meetings.services`."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("motions", __name__, url_prefix="/motions")


def init_app(app: Flask) -> None:
    """Register pages, API routes and the template helpers."""
    from ortsverein.api import register_blueprint

    from . import (  # noqa: F401  (routes)
        amendment_api,
        amendment_views,
        api,
        api_schemas,
        book_views,
        resolution_views,
        views,
    )
    from .labels import RECOMMENDATION, STATUS, STATUS_VARIANT, status_text
    from .seed import seed_motions

    app.register_blueprint(bp)
    app.config.setdefault("SEED_HOOKS", []).append(seed_motions)
    register_blueprint(app, api.bp, api_schemas.SCHEMAS)
    app.add_template_global(status_text, "motion_status_text")
    app.jinja_env.globals.update(
        motion_status_variant=STATUS_VARIANT,
        motion_status_labels=STATUS,
        recommendation_labels=RECOMMENDATION,
    )
