"""What ortsverein/template_texts.py takes from Jinja's (and Flask's) private parts.

LocalisedEnvironment overrides `Environment._load_template` and rewrites tokens in
an extension's `filter_stream`. Neither is promised by Jinja; if an upgrade moves
them, these tests fail here, by name, instead of pages silently showing texts in
the wrong language.
"""

from __future__ import annotations

import inspect
from collections.abc import MutableMapping

import jinja2
from flask import Flask
from flask.templating import Environment as FlaskEnvironment
from jinja2 import DictLoader, Environment
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

TEMPLATES = {
    "page.html": (
        '{% extends "base.html" %}{% from "macros.html" import m %}'
        '{% block body %}{{ m() }}{% include "part.html" %}{% endblock %}'
    ),
    "base.html": "<body>{% block body %}{% endblock %}</body>",
    "macros.html": "{% macro m() %}M{% endmacro %}",
    "part.html": "P",
}


class Recording(Environment):
    loaded: list[str]

    def _load_template(self, name, globals):  # noqa: A002 (Jinja's signature)
        self.loaded.append(name)
        return super()._load_template(name, globals)


def test_every_template_is_loaded_through_load_template():
    """get_template, select_template, get_or_select_template and the templates a
    template extends, imports and includes all pass the override."""
    env = Recording(loader=DictLoader(TEMPLATES), autoescape=True)
    env.loaded = []
    assert env.get_template("page.html").render() == "<body>MP</body>"
    assert sorted(env.loaded) == sorted(TEMPLATES)
    env.loaded = []
    env.select_template(["missing.html", "part.html"])
    env.get_or_select_template("part.html")
    assert env.loaded == ["missing.html", "part.html", "part.html"]


def test_load_template_keeps_its_signature_and_helpers():
    params = list(inspect.signature(Environment._load_template).parameters)
    assert params == ["self", "name", "globals"]
    env = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    template = env.loader.load(env, "part.html", env.make_globals({"x": 1}))
    assert isinstance(template.globals, MutableMapping)
    template.globals.update({"y": 2})
    assert template.is_up_to_date
    assert env.auto_reload in (True, False)


def test_cache_size_zero_leaves_no_cache():
    """LocalisedEnvironment keeps nothing where Jinja's own cache is switched off."""
    assert Environment(cache_size=0, autoescape=True).cache is None
    assert Environment(autoescape=True).cache is not None


def test_flasks_environment_knows_its_app():
    app = Flask("jinja_internals")
    assert isinstance(app.jinja_env, FlaskEnvironment)
    assert app.jinja_env.app is app


class Upper(Extension):
    """Rewrites `_("x")` into `("X"|safe)`, as FixedTexts does."""

    seen: list[str | None] = []

    def filter_stream(self, stream: TokenStream):
        Upper.seen.append(stream.name)
        window: list[Token] = []
        for token in stream:
            window.append(token)
            if len(window) < 4:
                continue
            name, lparen, string, rparen = window
            if (name.type, name.value, lparen.type, string.type, rparen.type) == (
                TOKEN_NAME,
                "_",
                TOKEN_LPAREN,
                TOKEN_STRING,
                TOKEN_RPAREN,
            ):
                line = name.lineno
                yield Token(line, TOKEN_LPAREN, "(")
                yield Token(line, TOKEN_STRING, string.value.upper())
                yield Token(line, TOKEN_PIPE, "|")
                yield Token(line, TOKEN_NAME, "safe")
                yield Token(line, TOKEN_RPAREN, ")")
                window = []
            else:
                yield window.pop(0)
        yield from window


def test_an_extension_may_replace_tokens_in_filter_stream():
    env = Environment(
        loader=DictLoader({"t.html": '{{ _("a&b") }}|{{ y }}'}),
        extensions=[Upper],
        autoescape=True,
    )
    assert TOKEN_DOT == "dot"  # FixedTexts leaves `x._("…")` alone by it
    Upper.seen.clear()
    assert env.get_template("t.html").render(y="<") == "A&B|&lt;"
    assert Upper.seen == ["t.html"]  # the stream knows its template's name


def test_a_macro_is_an_attribute_of_a_templates_module():
    env = Environment(loader=DictLoader(TEMPLATES), autoescape=True)
    assert str(env.get_template("macros.html").module.m()) == "M"
    assert jinja2.__version__  # printed by pytest -v when this file fails
