"""A thread page's posts as HTML, each rendered once and then remembered.

A post looks the same to every member who stands in the same relation to it: author
or not, agreed or not, moderator or not, in the same language and time zone. So the
HTML of one post is remembered per process under a key made of everything the
template reads (the post's row itself, body and counts included, and those
relations): an edit, a hidden post, a new agreement or a renamed author make a new
key, and nothing has to be invalidated. Forms in the HTML carry a slot that the page
fills with its own CSRF token, so the remembered HTML holds no secret.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from types import SimpleNamespace

from flask import request, url_for
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ortsverein.app_object import app_object
from ortsverein.caches import Cache, kept_unless_debug
from ortsverein.i18n import _
from ortsverein.urls import id_url

from .thread_page import PostRow

# No post can contain this: Markdown escapes raw HTML and nh3 keeps no <input>.
CSRF_SLOT = Markup('<input name="csrf_token" type="hidden" data-csrf-slot>')
POSTS_KEPT = 10_000  # per process; about 3 KiB each with their key


def _labels() -> SimpleNamespace:
    return SimpleNamespace(
        new=_("Neu seit deinem letzten Besuch"),
        former=_("ehemaliges Mitglied"),
        deleted=_("Vom Autor gelöscht."),
        hidden=_("Von der Moderation ausgeblendet."),
        show_hidden=_("Ausgeblendeten Text zeigen (Moderation)"),
        # after each action's name, for those who hear the page's controls listed
        of_post=_("zu Beitrag Nr. %(n)s", n="%d"),
        agree=_("Zustimmung"),
        agrees=_("Zustimmungen"),
        reply=_("Antworten"),
        quote=_("Zitieren"),
        edit=_("Bearbeiten"),
        confirm_delete=_("Diesen Beitrag wirklich löschen?"),
        delete=_("Löschen"),
        report=_("Melden"),
        revisions=_("Frühere Fassungen"),
        unhide=_("Wieder einblenden"),
        hide=_("Ausblenden"),
        reason=_("Begründung (sieht die Autorin oder der Autor)"),
        hide_post=_("Beitrag ausblenden"),
    )


def _links(thread_id: int) -> SimpleNamespace:
    return SimpleNamespace(
        post=id_url("discussions.post", "post_id"),
        agree=id_url("discussions.agree", "post_id"),
        quote=id_url("discussions.thread", "quote", thread_id=thread_id),
        # the reply box is on the last page; ?reply=1 goes there
        reply=url_for("discussions.thread", thread_id=thread_id, reply=1),
        edit=id_url("discussions.edit_post", "post_id"),
        delete=id_url("discussions.delete_post", "post_id"),
        report=id_url("discussions.report", "post_id"),
        revisions=id_url("discussions.revisions", "post_id"),
        unhide=id_url("discussions.unhide", "post_id"),
        hide=id_url("discussions.hide", "post_id"),
        # the icons' sprite (templates/_macros/ui.html draws the same <use>)
        sprite=url_for("static", filename="icons/lucide-sprite.svg"),
    )


# Key: the post's row (body, counts and author included), language, time zone, script
# root, thread and the reader's relation flags; value: the post's HTML with a CSRF
# slot. Safe: the macro reads nothing else (templates/discussions/_post.html), so an
# edit, a hidden post or a new agreement is a new key; the HTML holds no token.
POSTS = Cache("post_html", POSTS_KEPT, per_app=True)
# What rendering a post needs, per language (labels, the compiled macro) and per
# script root and thread (links): cheap keys, the same for every post of a page.
MACROS = Cache("post_html.macros", 16, per_app=True)
LABELS = Cache("post_html.labels", 16, per_app=True)
LINKS = Cache("post_html.links", 256, per_app=True)


def _macro(app):
    return app.jinja_env.get_template("discussions/_post.html").module.post_article


def _render(app, post: PostRow, locale, script_root, thread_id, flags) -> Markup:
    """One post's article, through the macro of templates/discussions/_post.html."""
    # per language: templates are compiled once per language (template_texts)
    macro = kept_unless_debug(MACROS, locale, _macro, app, app=app)
    labels = kept_unless_debug(LABELS, locale, _labels, app=app)
    links = kept_unless_debug(
        LINKS, (script_root, thread_id), _links, thread_id, app=app
    )
    return macro(post, labels, links, CSRF_SLOT, *flags)


def posts_html(
    posts: Iterable[PostRow],
    *,
    thread_id: int,
    archived: bool,
    moderator: bool,
    writable: bool,
    me: int,
    agreed: Collection[int],
    last_read: int,
) -> Markup:
    """The articles of a page of posts, with the page's CSRF token in their forms."""
    app = app_object()
    locale, timezone = str(get_locale()), str(get_timezone())
    root = request.script_root
    unread_number = last_read + 1 if last_read > 0 else None
    parts = []
    for post in posts:
        flags = (
            archived,
            moderator,
            writable,
            post.author_id == me,
            post.id in agreed,
            post.number == unread_number,
        )
        # locale, timezone and script_root are in the key: they change the labels,
        # the dates and the links that the macro and these helpers produce.
        key = (post, locale, timezone, root, thread_id, flags)
        parts.append(
            kept_unless_debug(
                POSTS, key, _render, app, post, locale, root, thread_id, flags, app=app
            )
        )
    html = Markup("").join(parts)
    token = Markup('<input name="csrf_token" type="hidden" value="%s">') % (
        generate_csrf()
    )
    return html.replace(CSRF_SLOT, token)
