"""Pages rendered once for every member who would see the same page.

A thread page's frame (layout, navigation, thread header, pager, reply form) reads
nothing about the member but a few plain facts: whether they follow the thread,
whether they see the board's menu, their badge counts, their language. So
`render_shared` remembers the rendered page per process under a key made of the
whole template context, and fills in what differs per request afterwards: the
slots the view names (the posts, which have their own cache) and the CSRF token.
Nothing has to be invalidated: a changed fact is a new key.

What keeps this safe:
- The key is every context value, including the context processors' (counts,
  navigation, language), not a list someone has to keep in step with the
  template. A value that is not a plain value (an ORM object, a form with input
  or errors) makes the page render the ordinary way.
- While the page is rendered for the cache, `current_user` answers only
  `is_authenticated`, and `request`, `session` and `g` refuse to be read: a
  template that starts reading the member's name there fails its tests instead
  of showing one member's name to another.
- Flashed messages, debug mode and anything but GET render the ordinary way.
- The page's own address (`language_next`, which the language form sends back)
  is filled in like a slot, so no query string makes a page of its own; the
  pages used most recently are kept, PAGES_KEPT of them (the `shared_pages` cache
  of ortsverein/caches.py; with caches off every page renders in full).
"""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, cast

from flask import render_template, request, session
from flask_babel import get_locale, get_timezone
from flask_login import current_user
from flask_wtf.csrf import csrf_meta_tag, generate_csrf
from markupsafe import Markup, escape
from wtforms import Form

from .app_object import app_object
from .caches import Cache

PAGES_KEPT = 512  # per process; a thread page's frame is about 9 KiB
# Key: template, language, time zone, script root, signed in or not, the slots'
# names and every other context value (value_key); value: the page as text between
# slots. Safe for the reasons in this module's docstring. Per app (its templates).
PAGES = Cache("shared_pages", PAGES_KEPT, per_app=True)
_CSRF = "csrf"
_MARK = "\x00slot:{}\x00"  # no page text can hold NUL (clean_text strips it)


class NotAValue(Exception):
    """A context value that cannot be part of a key."""


_PLAIN = (type(None), bool, int, str, Enum)
# Equal but printed differently (-0.0 and 0.0, Decimal 1.0 and 1.00, one instant in
# two time zones): keyed by their repr.
_BY_REPR = (float, Decimal, datetime, date)
# Context values that differ per request and are filled in like slots: the page's
# own address, which the language form sends back (a query of any length would
# otherwise make a new page each time).
PER_REQUEST = ("language_next",)
# Functions a page may call: they put the page's CSRF token in, which is filled in
# per request. Any other function could read the member and is refused.
_TOKEN_FUNCTIONS = frozenset({generate_csrf, csrf_meta_tag})


def value_key(value):
    """A hashable stand-in for `value` that differs whenever its rendering may:
    plain values with their type (True is not 1, Markup is not str), containers
    element by element, frozen dataclasses field by field, forms only while they
    are pristine (nothing filled in, nothing sent), and of functions only the CSRF
    token's."""
    if isinstance(value, _PLAIN):
        return (type(value), value)
    if isinstance(value, _BY_REPR):
        return (type(value), repr(value))
    if isinstance(value, tuple | list):
        return (tuple, tuple(value_key(v) for v in value))
    if isinstance(value, dict):
        return (dict, tuple(sorted((k, value_key(v)) for k, v in value.items())))
    if is_dataclass(value) and not isinstance(value, type):
        # Every dataclass instance has it; typeshed's DataclassInstance omits it.
        if not cast(Any, value).__dataclass_params__.frozen:
            raise NotAValue(type(value).__name__)
        return (
            type(value),
            tuple(value_key(getattr(value, f.name)) for f in fields(value)),
        )
    if isinstance(value, Form):
        return _form_key(value)
    if callable(value) and value in _TOKEN_FUNCTIONS:
        return (type(value), value)
    raise NotAValue(type(value).__name__)


def _form_key(form: Form):
    """A pristine form's key: its class and choices. A form with data in it (sent,
    quoted, preset) or with errors belongs to one member's page."""
    fields_ = [(name, f) for name, f in form._fields.items() if name != "csrf_token"]
    if form.errors or any(
        f.data or getattr(f, "raw_data", None) or f.process_errors for _, f in fields_
    ):
        raise NotAValue("a form with something in it")
    return (
        type(form),
        tuple(
            (name, value_key(f.data), value_key(getattr(f, "choices", None)))
            for name, f in fields_
        ),
    )


class _Refused:
    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attribute):
        raise RuntimeError(
            f"a shared page read {self._name}.{attribute}: pass it in the context"
        )

    def __bool__(self):
        raise RuntimeError(f"a shared page tested {self._name}")


class _Member(_Refused):
    """current_user as a shared page may see it: signed in or not, nothing else."""

    def __init__(self, authenticated: bool):
        super().__init__("current_user")
        self.is_authenticated = authenticated
        self.is_anonymous = not authenticated


def render_shared(template_name: str, *, slots: dict[str, Markup], **context) -> str:
    """render_template(template_name, **context, **slots), shared as described
    above. Slots are filled in as they are: pass Markup."""
    app = app_object()
    if app.debug or request.method != "GET" or session.get("_flashes"):
        return render_template(template_name, **context, **slots)
    full = dict(context)
    app.update_template_context(full)
    for name in ("current_user", "request", "session", "g"):
        full.pop(name, None)
    filled = {
        **slots,
        **{name: escape(full.pop(name)) for name in PER_REQUEST if name in full},
    }
    try:
        key = (
            template_name,
            str(get_locale()),
            str(get_timezone()),
            request.script_root,
            bool(current_user.is_authenticated),
            tuple(sorted(filled)),
            value_key(full),
        )
    except (NotAValue, TypeError):  # TypeError: dict keys that do not sort
        return render_template(template_name, **context, **slots)
    parts = PAGES.get(key, app=app)
    if parts is None:
        try:
            parts = _render_parts(app, template_name, full, filled, key[4])
        except NotAValue:
            return render_template(template_name, **context, **slots)
        PAGES.put(key, parts, app=app)
    values = {**filled, _CSRF: generate_csrf()}
    return "".join(values[part] if i % 2 else part for i, part in enumerate(parts))


def _render_parts(app, template_name, full, slots, authenticated) -> tuple[str, ...]:
    """The page as text between slots: (text, slot name, text, ..., text)."""
    context = {
        **full,
        **{name: Markup(_MARK.format(name)) for name in slots},  # noqa: S704
        "current_user": _Member(authenticated),
        "request": _Refused("request"),
        "session": _Refused("session"),
        "g": _Refused("g"),
    }
    html = app.jinja_env.get_or_select_template(template_name).render(context)
    html = html.replace(generate_csrf(), _MARK.format(_CSRF))
    parts = html.split("\x00")  # "text", "slot:name", "text", ..., "text"
    names = parts[1::2]
    if len(parts) % 2 == 0 or any(
        not name.startswith("slot:") or name[5:] not in {*slots, _CSRF}
        for name in names
    ):
        raise NotAValue("a NUL in the page that is no slot")
    parts[1::2] = [name[5:] for name in names]
    return tuple(parts)
