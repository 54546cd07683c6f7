"""Remote branch meetings: agenda, attendance, speakers' list, live discussion and
live votes, minutes. A feature of its own; it uses forums through
`discussions.services` and polls through `polls.services` only."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("meetings", __name__, url_prefix="/meetings")


def init_app(app: Flask) -> None:
    """Register pages, API routes, the socket room and events, and the home panel."""
    from ortsverein.api import register_blueprint
    from ortsverein.calendar_feed import register_calendar_source
    from ortsverein.i18n import _
    from ortsverein.main import register_panel
    from ortsverein.notifications import register_kind
    from ortsverein.realtime import register_room

    from . import (  # noqa: F401  (routes)
        api,
        api_common,
        api_documents,
        api_schemas,
        api_votes,
        calendar_feed,
        events,
        live,
        minutes_views,
        paper_views,
        room_state,
        room_views,
        views,
    )
    from .access import can_join_meeting

    live.meeting_changed.connect(room_state.publish_state)
    app.register_blueprint(bp)
    register_blueprint(
        app, api_common.bp, [*api_schemas.SCHEMAS, *api_documents.SCHEMAS]
    )
    register_room(
        "meeting",
        can_join_meeting,
        on_join=events.on_join_meeting,
        on_leave=events.on_leave_meeting,
    )
    events.init_app(app)
    register_kind(
        "meeting_invitation", lambda t: _("Einladung: %(t)s", t=t), topic="meetings"
    )
    register_kind(
        "meeting_changed",
        lambda t: _("Sitzung verlegt oder umbenannt: %(t)s", t=t),
        topic="meetings",
    )
    register_kind(
        "meeting_cancelled",
        lambda t: _("Sitzung abgesagt: %(t)s", t=t),
        topic="meetings",
    )
    register_calendar_source(calendar_feed.meeting_events)
    from .attendance import after_restart
    from .seed import seed_meetings

    app.config.setdefault("SERVE_HOOKS", []).append(after_restart)
    app.config.setdefault("SEED_HOOKS", []).append(seed_meetings)
    register_panel(app, "meetings/_panel.html", views.panel)
