"""Templates compiled once per language, with their fixed texts translated then.

A page carries dozens of `{{ _("…") }}` texts, and Jinja looks each one up on every
render: through the template context, Flask-Babel's catalogue and Markup, some
twenty microseconds apiece. A text with nothing to fill in is the same on every
render in one language, so the environment here compiles each template once per
language and writes such a text into the compiled template as the translation
itself (Jinja then folds it into the template's literal output). Texts with
variables (`_("%(n)s neu", n=…)`), `ngettext` and everything else still run per
render.

The result is exactly what the runtime call returns: the translation, `% {}`
applied (so `%%` reads `%`), and marked safe where the template autoescapes, as
Jinja's own new-style gettext does.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from contextvars import ContextVar

from flask import has_app_context
from flask.templating import Environment
from flask_babel import get_locale, get_translations
from jinja2.ext import Extension
from jinja2.lexer import (
    TOKEN_DOT,
    TOKEN_LPAREN,
    TOKEN_NAME,
    TOKEN_PIPE,
    TOKEN_RPAREN,
    TOKEN_STRING,
    Token,
    TokenStream,
)
from markupsafe import Markup

from .caches import Cache

# Key: the loader, the template's name and the language; value: the compiled template.
# Safe: a template compiles to the same code for one language every time (the fixed
# texts are that language's), auto_reload still checks the file, and it is per app,
# as Jinja's own cache is per environment. 400: Jinja's default cache_size.
TEMPLATES = Cache("templates", 400, per_app=True)

# The translations of the language a template is being compiled for, if any.
_compiling: ContextVar = ContextVar("ortsverein_template_translations", default=None)


def _language() -> str | None:
    """The language templates render in now; None outside an app context."""
    if not has_app_context():
        return None
    locale = get_locale()
    return str(locale) if locale is not None else None


class LocalisedEnvironment(Environment):
    """Flask's environment, keeping one compiled template per name and language
    (in the `templates` cache; Jinja's own cache keeps only those compiled outside
    an app context)."""

    def _load_template(self, name, globals):  # noqa: A002 (Jinja's signature)
        language = _language()
        if language is None:
            return super()._load_template(name, globals)
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        key = (weakref.ref(self.loader), name, language)
        kept = self.cache is not None  # cache_size=0 switches Jinja's caching off
        template = TEMPLATES.get(key, app=self.app) if kept else None
        if template is not None and (not self.auto_reload or template.is_up_to_date):
            if globals:
                template.globals.update(globals)
            return template
        token = _compiling.set(get_translations())
        try:
            template = self.loader.load(self, name, self.make_globals(globals))
        finally:
            _compiling.reset(token)
        if kept:
            TEMPLATES.put(key, template, app=self.app)
        return template


class FixedTexts(Extension):
    """Rewrites `_("literal")` into its translation while a language is compiled."""

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        translations = _compiling.get()
        if translations is None:
            yield from stream
            return
        escape = self.environment.autoescape
        if callable(escape):
            escape = escape(stream.name)
        window: list[Token] = []
        before = None  # the token before the window
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            text = self._fixed_text(before, window, translations, escape)
            if text is None:
                before = window.pop(0)
                yield before
                continue
            line = window[0].lineno
            yield Token(line, TOKEN_LPAREN, "(")
            yield Token(line, TOKEN_STRING, str(text))
            if escape:
                yield Token(line, TOKEN_PIPE, "|")
                yield Token(line, TOKEN_NAME, "safe")
            yield Token(line, TOKEN_RPAREN, ")")
            before, window = window[-1], []
        yield from window

    @staticmethod
    def _fixed_text(before, window, translations, escape) -> str | None:
        name, lparen, string, rparen = window
        if not (
            name.type == TOKEN_NAME
            and name.value == "_"
            and lparen.type == TOKEN_LPAREN
            and string.type == TOKEN_STRING
            and rparen.type == TOKEN_RPAREN
            and (before is None or before.type != TOKEN_DOT)  # not `x._("…")`
        ):
            return None
        text = translations.ugettext(string.value)
        try:
            # our own catalogue, marked safe as Jinja's new-style gettext marks it
            return (Markup(text) if escape else text) % {}  # noqa: S704
        except (TypeError, ValueError, KeyError):
            return None  # left to the runtime call, which fails as it always did


def init_app(app) -> None:
    """Before anything touches app.jinja_env: compile per language."""
    app.jinja_environment = LocalisedEnvironment
    app.jinja_options = {
        **app.jinja_options,
        "extensions": [*app.jinja_options.get("extensions", ()), FixedTexts],
    }
