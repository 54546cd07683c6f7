"""What may key a shared page, and what a shared page may not read."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import render_template
from flask_wtf.csrf import generate_csrf
from jinja2 import ChoiceLoader, DictLoader
from markupsafe import Markup

from discussions.forms import PostForm
from ortsverein import caches, create_app
from ortsverein.shared_pages import PAGES, NotAValue, render_shared, value_key


@dataclass(frozen=True)
class Frozen:
    n: int
    text: str


@dataclass
class Loose:
    n: int


@pytest.fixture
def app(tmp_path):
    app = create_app("testing", DATABASE_URL="sqlite://", INSTANCE_PATH=str(tmp_path))
    app.jinja_env.loader = ChoiceLoader(
        [
            DictLoader(
                {
                    "name.html": "{{ current_user.first_name }}",
                    "path.html": "{{ request.path }}",
                    "slots.html": "<p>{{ a }}</p>{{ body }}<i>{{ csrf_token() }}</i>",
                }
            ),
            app.jinja_env.loader,
        ]
    )
    return app


def test_values_that_render_differently_key_differently():
    from datetime import UTC, datetime, timedelta, timezone
    from decimal import Decimal

    assert value_key(True) != value_key(1)
    assert value_key(Decimal("1.0")) != value_key(Decimal("1.00"))
    assert value_key(-0.0) != value_key(0.0)
    instant = datetime(2026, 11, 29, 12, tzinfo=UTC)
    berlin = instant.astimezone(timezone(timedelta(hours=1)))
    assert instant == berlin and value_key(instant) != value_key(berlin)
    assert value_key(Markup("<b>")) != value_key("<b>")
    assert value_key([1, "a"]) == value_key((1, "a"))
    assert value_key({"b": 1, "a": [2]}) == value_key({"a": (2,), "b": 1})
    assert value_key(Frozen(1, "x")) == value_key(Frozen(1, "x"))
    assert value_key(Frozen(1, "x")) != value_key(Frozen(2, "x"))
    assert value_key(generate_csrf) == value_key(generate_csrf)


@pytest.mark.parametrize(
    "value", [object(), Loose(1), lambda: 1, {"a": [object()]}, {1, 2}]
)
def test_anything_else_is_no_key(value):
    with pytest.raises(NotAValue):
        value_key(value)


def test_forms_key_only_while_pristine(app):
    with app.test_request_context():
        assert value_key(PostForm()) == value_key(PostForm())
        with pytest.raises(NotAValue):  # a quoted post, say: one member's page
            value_key(PostForm(body="Text"))
    with app.test_request_context(method="POST", data={"body": ""}):
        form = PostForm()
        assert not form.validate()
        with pytest.raises(NotAValue):
            value_key(form)


@pytest.mark.parametrize("name", ["name.html", "path.html"])
def test_a_shared_page_cannot_read_the_member_or_request(app, name):
    with app.test_request_context("/forums/"):
        render_template(name)  # the ordinary way reads them
        with pytest.raises(RuntimeError, match="shared page"):
            render_shared(name, slots={})


def test_slots_and_token_are_filled_in_per_request(app):
    with app.test_request_context("/forums/"):
        first = render_shared("slots.html", slots={"body": Markup("<b>1</b>")}, a=1)
        token = generate_csrf()
        assert first == f"<p>1</p><b>1</b><i>{token}</i>"
    with app.test_request_context("/forums/"):
        second = render_shared("slots.html", slots={"body": Markup("<u>2</u>")}, a=1)
        assert second == f"<p>1</p><u>2</u><i>{generate_csrf()}</i>"
        assert generate_csrf() != token
    assert PAGES.size(app=app) == (1 if caches.enabled() else 0)  # one rendering


def _shared_templates() -> set[str]:
    """Templates rendered by render_shared("…") anywhere in the code."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = set()
    for package in ("ortsverein", "discussions", "polls"):
        for path in (root / package).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            found |= set(re.findall(r'render_shared\(\s*"([^"]+)"', text))
    return found


def test_every_template_a_shared_page_binds_states_the_rule(app):
    """The page and whatever it extends, imports or includes say, in a comment,
    what a shared page may not read."""
    from jinja2 import meta

    env = app.jinja_env
    todo, seen = list(_shared_templates()), set()
    assert "discussions/thread.html" in todo
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        source = env.loader.get_source(env, name)[0]
        assert "Shared page (ortsverein/shared_pages.py)" in source, name
        todo += [n for n in meta.find_referenced_templates(env.parse(source)) if n]
    assert {"base.html", "_macros/forms.html", "discussions/_unsent.html"} <= seen
