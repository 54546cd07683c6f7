"""Template helpers: navigation facts, dates in Europe/Berlin, forms in the layout."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from babel import dates
from flask import Flask, current_app, has_request_context, request, url_for
from flask_babel import (
    format_decimal,
    format_time,
    format_timedelta,
    get_locale,
    get_timezone,
)
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import select

from models import RoleName
from models.base import utcnow

from .app_object import app_object
from .auth.forms import LANGUAGE_CHOICES
from .caches import Cache
from .i18n import _
from .permissions import holds_role
from .urls import id_url

NAV_STATEMENTS_KEPT = 4096
# Key: member id, home branch path, sorted (role, organisation path) pairs; value: the
# SELECT of the badge counts. Safe: the counts' functions read nothing else of the
# member (register_nav_count's rule) and the clock only as a bind parameter, so the
# statement holds no data, and a changed office is a new key.
NAV_STATEMENTS = Cache("nav_statements", NAV_STATEMENTS_KEPT, per_app=True)


def register_nav_count(app: Flask, name: str, count) -> None:
    """A badge count in every page's navigation, as the template variable `name`:
    `count(member)` returns a SELECT of one number that depends on nothing but the
    member's id, home branch and offices (read the clock through a bind parameter).
    All of them are read in one round trip per page."""
    app.extensions.setdefault("ortsverein_nav_counts", {})[name] = count


def _nav_statement(member):
    """The SELECT of every badge count for this member, built once per id, home
    branch and offices: building it costs more than running it."""
    counts = current_app.extensions.get("ortsverein_nav_counts")
    if not counts:
        return None
    key = (
        member.id,
        member.home.path,
        tuple(sorted((r.role.value, r.organisation.path) for r in member.offices)),
    )
    return NAV_STATEMENTS.get_or_make(
        key,
        lambda: select(
            *(
                count(member).scalar_subquery().label(name)
                for name, count in counts.items()
            )
        ),
    )


def _nav_counts() -> dict:
    from .db import db

    stmt = _nav_statement(current_user)
    if stmt is None:
        return {}
    return dict(db.session.connection().execute(stmt).one()._mapping)


def _context():
    nav, counts = {}, {}
    if current_user.is_authenticated:
        nav = {
            "is_board": holds_role(current_user, RoleName.BOARD),
            "is_organiser": holds_role(current_user, RoleName.ORGANISER),
        }
        counts = _nav_counts()
    return {
        **counts,
        "nav": nav,
        "current_locale": str(get_locale()),
        # The layout's language and logout forms are plain HTML with the page's
        # CSRF token: two WTForms objects per page cost more than the markup.
        "language_choices": LANGUAGE_CHOICES,
        "language_next": request.full_path.rstrip("?") if request else "/",
        # The page's view, for the navigation's aria-current: one per template,
        # so it does not split a shared page's key.
        "nav_endpoint": (request.endpoint or "") if request else "",
    }


# Key: the datetime, the format, the locale and the time zone; value: the text.
# Safe: Babel's output depends on nothing else (equal instants in two zones are one
# key, and both print as the same local time). Per process: no app's state in it.
DATES = Cache("dates", 8192)


def format_datetime(value, fmt: str = "medium") -> str:
    """flask_babel.format_datetime (the member's locale, Berlin time), remembered: a
    thread page shows 20 dates, and Babel takes longer over one than over the rest
    of a post; the same posts are shown again and again."""
    if not value:
        return "–"
    locale, tzinfo = get_locale(), get_timezone()
    return DATES.get_or_make(
        (value, fmt, locale, tzinfo),
        lambda: dates.format_datetime(value, fmt, tzinfo=tzinfo, locale=locale),
    )


URLS_KEPT = 20_000
# Key: script root, endpoint, sorted arguments; value: the relative URL. Safe: per
# app (its url_map), only while no URL-default callback could change a link, and
# never for absolute URLs or anchors (see _remembered_url_for).
URLS = Cache("urls", URLS_KEPT, per_app=True)


def _remembered_url_for(endpoint: str, **values) -> str:
    """url_for() for templates, remembered per app, script root and arguments: a
    page builds some twenty links, most the same on every page (navigation, forms),
    and werkzeug takes tens of microseconds over each. Absolute URLs, anchors, mail
    rendered outside a request and apps with URL-default callbacks (none here) take
    the ordinary way."""
    app = app_object()
    if (
        not has_request_context()  # mail rendered by a command
        or app.url_default_functions
        or any(k.startswith("_") for k in values)
    ):
        return url_for(endpoint, **values)
    key = (request.script_root, endpoint, tuple(sorted(values.items())))
    try:
        return URLS.get_or_make(key, lambda: url_for(endpoint, **values), app=app)
    except TypeError:  # an unhashable argument
        return url_for(endpoint, **values)


# Key: the language and the distance in whole minutes; value: Babel's words for it
# ("vor 5 Minuten"). Safe: format_timedelta reads nothing but the two; rounding the
# distance to the minute first changes nothing below an hour, and above it at most
# moves a half-unit boundary by thirty seconds.
RELATIVE = Cache("relative_times", 4096)


def relative_time(value: datetime | None) -> str:
    """ "vor 5 Minuten" / "in 2 Stunden" in the member's language (ui.relative_time):
    the distance from now, rounded the way Babel rounds (0.85 of a unit and up)."""
    if not value:
        return "–"
    if value.tzinfo is None:  # stored naive means UTC (models.base.UTCDateTime)
        value = value.replace(tzinfo=UTC)
    seconds = (value - utcnow()).total_seconds()
    if abs(seconds) < 60:
        return _("gerade eben")
    minutes = round(seconds / 60)
    return RELATIVE.get_or_make(
        (str(get_locale()), minutes),
        lambda: format_timedelta(
            timedelta(minutes=minutes), granularity="minute", add_direction=True
        ),
    )


def time_tag(value: datetime | None) -> Markup:
    """ui.relative_time's element: the words, with the exact local time in `title`
    and `data-exact` (shown after the words on keyboard focus) and the instant in
    `datetime`. A filter, not template code: a forum page shows 25 of them."""
    if not value:
        return Markup("–")
    # Joined, not Markup.format: that escapes through string.Formatter, which took
    # longer than the rest of the element. Every part is escaped; the ISO instant
    # (digits, "-", ":", "+", "T") has nothing to escape.
    exact = escape(format_datetime(value, "medium"))
    return Markup(  # noqa: S704
        f'<time class="reltime" datetime="{iso_datetime(value)}" title="{exact}" '
        f'data-exact="{exact}" tabindex="0">{escape(relative_time(value))}</time>'
    )


def iso_datetime(value: datetime | None) -> str:
    """The machine-readable instant of a <time datetime=...>, in UTC."""
    if not value:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def initials(name: str) -> str:
    """ "Mina Nordmann" -> "MN"; one word -> its first two letters."""
    words = [w for w in str(name).replace("-", " ").split() if w[:1].isalnum()]
    if not words:
        return "?"
    if len(words) == 1:
        return words[0][:2].upper()
    return (words[0][0] + words[-1][0]).upper()


def init_app(app: Flask) -> None:
    app.context_processor(_context)
    app.jinja_env.globals["url_for"] = _remembered_url_for
    app.jinja_env.filters["datetime"] = format_datetime
    # Times that arrive as ISO strings (live state documents), shown as local time.
    app.jinja_env.filters["iso_time"] = lambda value: (
        format_time(datetime.fromisoformat(value), "short") if value else "–"
    )
    app.jinja_env.globals["id_url"] = id_url
    app.jinja_env.filters["relative_time"] = relative_time
    app.jinja_env.filters["time_tag"] = time_tag
    app.jinja_env.filters["iso_datetime"] = iso_datetime
    app.jinja_env.filters["initials"] = initials
    app.jinja_env.filters["percent"] = lambda value: format_decimal(value or 0)
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
