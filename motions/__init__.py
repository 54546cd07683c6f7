"""Motions (Anträge): motion books of an organisation, motions with supporters and
a status history, decided by the motion committee. A feature of its own; it uses
forums through `discussions.services` and meetings through `meetings.services`."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("motions", __name__, url_prefix="/motions")


def init_app(app: Flask) -> None:
    """Register pages, API routes, the template helpers and the tick hook that
    applies sealed votes."""
    from meetings import services as meeting_services
    from ortsverein.api import register_blueprint

    from . import (  # noqa: F401  (routes)
        agenda_views,
        amendment_api,
        amendment_views,
        api,
        api_schemas,
        book_views,
        comment_views,
        forward_api,
        resolution_views,
        views,
        vote_views,
    )
    from .agenda import room_links
    from .labels import (
        AMENDMENT_STATUS,
        AMENDMENT_VARIANT,
        RECOMMENDATION,
        STATUS,
        STATUS_VARIANT,
        status_text,
    )
    from .seed import seed_motions
    from .vote_results import decide_due

    app.register_blueprint(bp)
    app.config.setdefault("SEED_HOOKS", []).append(seed_motions)
    app.config.setdefault("TICK_HOOKS", []).append(decide_due)
    register_blueprint(app, api.bp, api_schemas.SCHEMAS)
    meeting_services.register_room_links(app, room_links)
    app.add_template_global(status_text, "motion_status_text")
    app.jinja_env.globals.update(
        motion_status_variant=STATUS_VARIANT,
        motion_status_labels=STATUS,
        recommendation_labels=RECOMMENDATION,
        amendment_status_labels=AMENDMENT_STATUS,
        amendment_status_variant=AMENDMENT_VARIANT,
    )
