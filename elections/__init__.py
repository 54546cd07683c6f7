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
    from .room import describe_vote, poll_note
    from .rounds import count_closed_vote, count_due
    from .seed import seed_elections

    app.config.setdefault("TICK_HOOKS", []).append(count_due)
    # A round closed by the chair in the meeting room is counted at once.
    app.config.setdefault("VOTE_CLOSED_HOOKS", []).append(count_closed_vote)
    # The room shows a round's outcome by the election's rule, not the poll's.
    app.config.setdefault("VOTE_SUMMARY_HOOKS", []).append(describe_vote)
    # A round's poll page points to the election's outcome.
    app.config.setdefault("POLL_PAGE_HOOKS", []).append(poll_note)
    app.config.setdefault("SEED_HOOKS", []).append(seed_elections)
