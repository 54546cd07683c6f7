"""Locale selection: the member's choice, then the browser's, German by default."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import get_translations, gettext, lazy_gettext, ngettext
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

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


# The templates' gettext family, as Jinja's i18n extension makes them with
# newstyle=True (the text is a %-format string, always; with autoescape it is markup
# and its variables are escaped), but taking only the evaluation context. Jinja's
# own take the whole context (`pass_context`), and a context-taking function called
# inside a {% for %} gets a copy of the page's context made for that call: every
# _() or ngettext() in a row of a list copied all the page's variables once more.
def _formatted(eval_ctx: EvalContext, text: str, variables: dict[str, Any]) -> str:
    # The catalogue's text is trusted markup, as Jinja's own gettext takes it; the
    # variables are escaped by Markup's % where the template autoescapes.
    if eval_ctx.autoescape:
        return Markup(text) % variables  # noqa: S704
    return text % variables


@pass_eval_context
def _gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    text = _page_translations().ugettext(string)
    return _formatted(eval_ctx, text, variables)


@pass_eval_context
def _ngettext(
    eval_ctx: EvalContext, singular: str, plural: str, num: int, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = _page_translations().ungettext(singular, plural, num)
    return _formatted(eval_ctx, text, variables)


@pass_eval_context
def _pgettext(
    eval_ctx: EvalContext, context: str, string: str, **variables: Any
) -> str:
    variables.setdefault("context", context)
    text = _page_translations().upgettext(context, string)
    return _formatted(eval_ctx, text, variables)


@pass_eval_context
def _npgettext(
    eval_ctx: EvalContext,
    context: str,
    singular: str,
    plural: str,
    num: int,
    **variables: Any,
) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    text = _page_translations().unpgettext(context, singular, plural, num)
    return _formatted(eval_ctx, text, variables)


def init_app(app: Flask) -> None:
    """Templates translate through _page_translations() (after Babel's init_app)."""
    # New-style gettext, as Flask-Babel sets it: {% trans %} blocks call these
    # functions with their variables instead of filling them in themselves.
    # `newstyle_gettext` is added by the jinja2.ext.i18n extension at runtime;
    # `_` is replaced too (the extension's alias looks `gettext` up on every call).
    app.jinja_env.newstyle_gettext = True  # type: ignore[attr-defined]
    app.jinja_env.globals.update(
        _=_gettext,
        gettext=_gettext,
        ngettext=_ngettext,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
