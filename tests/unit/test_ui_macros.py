"""The design system's macros (templates/_macros/ui.html) as a page shows them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from flask import render_template_string

from models import utcnow

UI = '{% import "_macros/ui.html" as ui %}'


@pytest.fixture
def db_url(sqlite_url):
    """Templates only: one database is enough."""
    return sqlite_url


@pytest.fixture
def render(app):
    def run(source: str, lang: str = "de", **context) -> str:
        with app.test_request_context(headers={"Accept-Language": lang}):
            from flask import session

            session["lang"] = lang
            return render_template_string(UI + source, **context)

    return run


def test_checksum_shows_eight_characters_and_folds_the_rest(render):
    value = "ab12cd34" + "e" * 56
    html = render("{{ ui.checksum(value) }}", value=value)
    summary = re.search(r"<summary>(.*?)</summary>", html, re.S).group(1)
    shown = re.sub(r"<[^>]+>", "", summary)
    assert "<code" in summary and "ab12cd34…" in shown and value not in shown
    assert f'title="{value}"' in summary  # the whole value on hover
    assert f'<code class="checksum__full">{value}</code>' in html  # no JS needed
    # the copy button carries the value and stays hidden until app.js shows it
    button = re.search(r"<button[^>]*data-copy-text[^>]*>", html).group(0)
    assert f'data-copy-text="{value}"' in button and " hidden" in button
    assert render("{{ ui.checksum(None) }}").strip() == "–"


def test_relative_time_in_words_with_the_exact_time(render):
    when = utcnow() - timedelta(minutes=5)
    html = render("{{ ui.relative_time(when) }}", when=when)
    assert ">vor 5 Minuten</time>" in html
    assert re.search(r'datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"', html)
    assert re.search(r'title="\d\d\.\d\d\.\d{4}, \d\d:\d\d:\d\d"', html)
    assert 'tabindex="0"' in html  # keyboard users reach the exact time too
    soon = render(
        "{{ ui.relative_time(when) }}", "en", when=utcnow() + timedelta(hours=3)
    )
    assert ">in 3 hours</time>" in soon
    now = render("{{ ui.relative_time(when) }}", when=utcnow())
    assert ">gerade eben</time>" in now


def test_avatar_initials_and_a_stable_colour(render):
    class Member:
        id = 11
        name = "Mina Mitglied"

    html = render("{{ ui.avatar(m) }}", m=Member())
    assert 'aria-hidden="true"' in html and ">MM</span>" in html
    assert "avatar--4" in html  # 11 % 8 + 1
    assert ">AD</span>" in render("{{ ui.avatar('Admin') }}")


def test_icon_is_decorative_unless_labelled(render):
    plain = render('{{ ui.icon("bell") }}')
    assert 'aria-hidden="true"' in plain and "lucide-sprite.svg#bell" in plain
    named = render('{{ ui.icon("bell", label="Benachrichtigungen") }}')
    assert 'role="img" aria-label="Benachrichtigungen"' in named
    assert "aria-hidden" not in named


def test_sprite_has_every_icon_the_templates_use(app):
    from pathlib import Path

    root = Path(app.root_path)
    sprite = (root / "static" / "icons" / "lucide-sprite.svg").read_text()
    symbols = set(re.findall(r'<symbol id="([\w-]+)"', sprite))
    used = set()
    for path in (root.parent / "templates").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'ui\.icon\("([\w-]+)"', text))
        used |= set(re.findall(r'icon="([\w-]+)"', text))
    assert used and used <= symbols, used - symbols


def test_time_tag_filter_is_the_macros_element_in_each_language(render):
    """Long lists call the filter directly; a language's words are remembered by
    distance, never handed to a reader of the other language."""
    when = utcnow() - timedelta(minutes=90)
    macro = render("{{ ui.relative_time(when) }}", when=when)
    assert render("{{ when|time_tag }}", when=when) == macro
    assert ">vor 2 Stunden</time>" in macro  # 1.5 hours round up, as Babel rounds
    assert ">2 hours ago</time>" in render("{{ when|time_tag }}", "en", when=when)
    assert ">vor 2 Stunden</time>" in render("{{ when|time_tag }}", when=when)
    assert render("{{ when|time_tag }}", when=None) == "–"
