"""WTForms' own messages speak the member's language, from a catalogue loaded
once per process and language (ortsverein/forms.py)."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField

from ortsverein.caches import enabled
from ortsverein.forms import TRANSLATIONS, Form


@pytest.fixture
def db_url(sqlite_url):
    """Forms only: one database is enough."""
    return sqlite_url


class NumberForm(Form):
    class Meta:
        csrf = False

    number = IntegerField()


def _errors(app, lang: str) -> list[str]:
    with app.test_request_context(headers={"Accept-Language": lang}):
        from flask import session

        session["lang"] = lang
        form = NumberForm(formdata=MultiDict({"number": "zwölf"}))
        assert not form.validate()
        return form.errors["number"]


def test_wtforms_messages_in_the_members_language_loaded_once(app):
    TRANSLATIONS.clear()
    assert _errors(app, "de") == ["Keine gültige, ganze Zahl."]
    assert _errors(app, "en") == ["Not a valid integer value."]
    assert _errors(app, "de") == ["Keine gültige, ganze Zahl."]
    if enabled():  # ORTSVEREIN_CACHES=off keeps nothing
        assert TRANSLATIONS.size() == 2  # one catalogue per language, not per request
