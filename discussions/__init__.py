"""Topic forums: threads, posts, moderation, search and live discussion (blueprint)."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("discussions", __name__, url_prefix="/forums")


def init_app(app: Flask) -> None:
    """Register views, API routes, socket rooms and events, commands and seed data."""
    from ortsverein.api import register_blueprint
    from ortsverein.i18n import _
    from ortsverein.main import register_panel
    from ortsverein.notification_prefs import register_forum_choices
    from ortsverein.notifications import register_kind
    from ortsverein.realtime import register_room

    from . import (  # noqa: F401  (routes)
        api,
        api_posts,
        api_schemas,
        cli,
        events,
        moderation_views,
        reading,
        search,
        thread_views,
        views,
    )
    from .access import can_join_forum, can_join_thread

    app.register_blueprint(bp)
    register_blueprint(app, api.bp, api_schemas.SCHEMAS)
    reading.init_app(app)
    register_room("thread", can_join_thread, on_join=events.on_join_thread)
    register_room("forum", can_join_forum)
    events.init_app(app)
    register_kind(
        "mention",
        lambda t: _("Du wurdest in „%(t)s“ erwähnt.", t=t),
        digest=True,
        topic="mentions",
    )
    register_kind(
        "reply",
        lambda t: _("Neue Antwort in „%(t)s“.", t=t),
        digest=True,
        topic="replies",
    )
    register_kind(
        "new_thread",
        lambda t: _("Neues Thema: „%(t)s“.", t=t),
        digest=True,
        topic="new_threads",
    )
    app.cli.add_command(cli.send_digests)
    register_forum_choices(views.forum_choices)
    from .seed import seed_forums

    app.config.setdefault("SEED_HOOKS", []).append(seed_forums)
    # Texts removed at a member's request (account deletion) leave the search too.
    app.config.setdefault("ERASURE_HOOKS", []).append(search.unindex_posts)
    register_panel(app, "discussions/_panel.html", views.panel)
