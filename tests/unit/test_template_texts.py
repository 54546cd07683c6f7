"""Fixed texts translated when a template is compiled read as the runtime call did."""

from __future__ import annotations

import pytest
from flask import render_template
from flask_babel import force_locale
from jinja2 import ChoiceLoader, DictLoader

from ortsverein import create_app

SNIPPETS = {
    "plain.html": '{{ _("Abmelden") }}',
    "ampersand.html": '<p title="{{ _("Fragen & Antworten") }}">{{ _("a < b") }}</p>',
    "percent.html": '{{ _("100 %%") }}',
    "variables.html": '{{ _("%(n)s lesen gerade mit", n="<b>") }}',
    "joined.html": '{{ _("Abmelden") ~ name }}|{{ _("Abmelden") + name }}',
    "joined.txt": '{{ _("Abmelden") ~ name }}|{{ _("Abmelden") + name }}',
    "argument.html": (
        "{% macro m(label) %}[{{ label }}|{{ label|length }}]{% endmacro %}"
        '{{ m(_("Abmelden")) }}{% set x = _("Sprache") %}{{ x|upper }}'
    ),
    "attribute.html": '{{ thing._("Abmelden") }}',
    "broken.html": '{{ _("zu 100 %") }}',
}


class Thing:
    @staticmethod
    def _(text):
        return f"own {text}"


@pytest.fixture
def app(tmp_path):
    app = create_app("testing", DATABASE_URL="sqlite://", INSTANCE_PATH=str(tmp_path))
    app.jinja_env.loader = ChoiceLoader([DictLoader(SNIPPETS), app.jinja_env.loader])
    return app


def _runtime(app, template, **context):
    """The template compiled without fixed texts, straight from its source (which
    autoescapes, as an .html template does)."""
    return app.jinja_env.from_string(SNIPPETS[template]).render(**context)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("name", sorted(set(SNIPPETS) - {"broken.html", "joined.txt"}))
def test_compiled_texts_render_as_the_runtime_call(app, lang, name):
    context = {"name": "<i>", "thing": Thing()}
    with app.test_request_context(headers={"Accept-Language": lang}):
        assert render_template(name, **context) == _runtime(app, name, **context)


def test_text_templates_join_plain_strings(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        # no autoescape in a .txt template: nothing gets escaped by the join
        assert render_template("joined.txt", name="<i>") == "Log out<i>|Log out<i>"
        assert render_template("plain.html") == "Log out"


def test_a_text_that_is_no_format_string_fails_as_before(app):
    with app.test_request_context(), pytest.raises(ValueError):
        render_template("broken.html")


def test_each_language_keeps_its_own_compiled_template(app):
    with app.test_request_context(headers={"Accept-Language": "de"}):
        assert render_template("plain.html") == "Abmelden"
        with force_locale("en"):  # a mail in the member's language
            assert render_template("plain.html") == "Log out"
        assert render_template("plain.html") == "Abmelden"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template("argument.html") == "[Log out|7]LANGUAGE"


def test_fixed_texts_are_not_looked_up_on_each_render(app):
    def refuse(*args, **kwargs):
        raise AssertionError("a fixed text was looked up at render time")

    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert render_template("argument.html") == "[Log out|7]LANGUAGE"
        app.jinja_env.globals["_"] = refuse
        assert render_template("argument.html") == "[Log out|7]LANGUAGE"
        with pytest.raises(AssertionError):
            render_template("variables.html")  # a text with variables still is
