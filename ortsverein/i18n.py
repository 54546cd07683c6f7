"""Locale selection: the member's choice, then the browser's, German by default."""

from __future__ import annotations

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_translations, gettext, lazy_gettext, ngettext
from flask_login import current_user

_ = gettext
_l = lazy_gettext

__all__ = ["_", "_l", "ngettext", "select_locale"]


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # the CLI, mail sent from a command
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if isinstance(chosen, str) and chosen in languages:
        return chosen
    if current_user.is_authenticated and current_user.locale in languages:
        return current_user.locale
    best = request.accept_languages.best_match(languages)
    if best:
        return best
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def _page_translations():
    """The translations for the locale in force, looked up once per locale and
    request. Flask-Babel's own lookup walks its context, domain and locale on every
    call, and a page has dozens of texts. Its locale object (`babel_locale` in its
    request namespace) is the key: force_locale() swaps it, and then so does this."""
    babel_ctx = g.get("_flask_babel")
    locale = getattr(babel_ctx, "babel_locale", None)
    if locale is None:  # not resolved yet (or inside force_locale): the slow way
        return get_translations()
    cached = getattr(babel_ctx, "ortsverein_translations", None)
    if cached is None or cached[0] is not locale:
        cached = babel_ctx.ortsverein_translations = (locale, get_translations())
    return cached[1]


def init_app(app: Flask) -> None:
    """Templates translate through _page_translations() (after Babel's init_app)."""
    # Added by the jinja2.ext.i18n extension at runtime; not in Jinja's stubs.
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: _page_translations().ugettext(s),
        ngettext=lambda s, p, n: _page_translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: _page_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _page_translations().unpgettext(c, s, p, n),
    )
