"""Member polls and binding member votes."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("polls", __name__, url_prefix="/polls")


def init_app(app: Flask) -> None:
    """Register views, API routes, socket rooms and commands."""
    from ortsverein.api import register_blueprint
    from ortsverein.calendar_feed import register_calendar_source
    from ortsverein.main import register_panel
    from ortsverein.realtime import register_room
    from ortsverein.templating import register_nav_count

    from . import (  # noqa: F401  (routes)
        api,
        api_schemas,
        ballot_views,
        calendar,
        cli,
        export_views,
        forms,
        services,
        views,
        visibility,
        withdrawal,
        withdrawal_views,
    )
    from .events import can_join_poll

    app.register_blueprint(bp)
    from ortsverein.i18n import _
    from ortsverein.notifications import register_kind

    register_kind(
        "poll_opened",
        lambda title: _("Neue Abstimmung: %(t)s", t=title),
        topic="polls",
    )
    register_kind(
        "poll_reminder",
        lambda title: _(
            "Erinnerung: „%(t)s“ endet bald, und du hast noch nicht abgestimmt.",
            t=title,
        ),
        topic="polls",
    )
    for kind, text in withdrawal.texts().items():
        register_kind(kind, text, topic="polls")
    register_nav_count(app, "open_polls_count", visibility.open_polls)
    register_calendar_source(calendar.member_poll_events)
    app.add_template_global(services.option_label, "option_label")
    app.add_template_global(forms.majority_label, "majority_label")
    register_blueprint(app, api.bp, api_schemas.SCHEMAS)
    register_room("poll", can_join_poll)
    app.cli.add_command(cli.tick)
    app.cli.add_command(cli.verify_poll)
    app.cli.add_command(cli.recover_poll_key)
    from .seed import seed_polls

    app.config.setdefault("SEED_HOOKS", []).append(seed_polls)
    register_panel(app, "polls/_panel.html", views.panel)
