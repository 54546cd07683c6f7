"""Elections of people: offices and seats, candidacies with consent, ballot rounds
that are polls (through `polls.services`), counted by the election's method
(count.py), with quotas and acceptance. Meetings are reached through
`meetings.services` only."""

from __future__ import annotations

from flask import Blueprint, Flask

bp = Blueprint("elections", __name__, url_prefix="/elections")


def init_app(app: Flask) -> None:
    """Register pages, API routes, the notification kind and the home panel."""
    from ortsverein.api import register_blueprint
    from ortsverein.i18n import _
    from ortsverein.main import register_panel
    from ortsverein.notifications import register_kind

    from . import (  # noqa: F401  (routes)
        api,
        api_schemas,
        document_views,
        reopen_views,
        views,
    )

    app.register_blueprint(bp)
    register_blueprint(app, api.bp, api_schemas.SCHEMAS)
    register_kind(
        "election_nomination",
        lambda title: _("Du bist vorgeschlagen: %(t)s. Stimmst du zu?", t=title),
        topic="polls",
    )
    register_panel(app, "elections/_panel.html", views.panel)
    from .rounds import count_due
    from .seed import seed_elections

    app.config.setdefault("TICK_HOOKS", []).append(count_due)
    app.config.setdefault("SEED_HOOKS", []).append(seed_elections)
