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
from functools import lru_cache
from types import SimpleNamespace

from flask import current_app, request
from flask_babel import get_locale, get_timezone
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

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
        edit=id_url("discussions.edit_post", "post_id"),
        delete=id_url("discussions.delete_post", "post_id"),
        report=id_url("discussions.report", "post_id"),
        revisions=id_url("discussions.revisions", "post_id"),
        unhide=id_url("discussions.unhide", "post_id"),
        hide=id_url("discussions.hide", "post_id"),
    )


def _renderer(app):
    """The app's remembering renderer of one post (made once per app)."""
    # per language: templates are compiled once per language (template_texts)
    macros = lru_cache(maxsize=16)(
        lambda locale: (
            app.jinja_env.get_template("discussions/_post.html").module.post_article
        )
    )
    labels = lru_cache(maxsize=16)(lambda locale: _labels())
    links = lru_cache(maxsize=256)(lambda script_root, thread_id: _links(thread_id))

    @lru_cache(maxsize=POSTS_KEPT)
    def render(
        post: PostRow,
        locale: str,
        timezone: str,
        script_root: str,
        thread_id: int,
        flags: tuple[bool, ...],
    ) -> Markup:
        # locale, timezone and script_root are in the key: they change the labels,
        # the dates and the links that the macro and these helpers produce.
        return macros(locale)(
            post,
            labels(locale),
            links(script_root, thread_id),
            CSRF_SLOT,
            *flags,
        )

    return render


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
    renderers = current_app.extensions.setdefault("ortsverein_post_html", {})
    render = renderers.get("render")
    if render is None or current_app.debug:  # debug: edited templates show at once
        render = renderers["render"] = _renderer(current_app)
    locale, timezone = str(get_locale()), str(get_timezone())
    root = request.script_root
    unread_number = last_read + 1 if last_read > 0 else None
    html = Markup("").join(
        render(
            post,
            locale,
            timezone,
            root,
            thread_id,
            (
                archived,
                moderator,
                writable,
                post.author_id == me,
                post.id in agreed,
                post.number == unread_number,
            ),
        )
        for post in posts
    )
    token = Markup('<input name="csrf_token" type="hidden" value="%s">') % (
        generate_csrf()
    )
    return html.replace(CSRF_SLOT, token)
