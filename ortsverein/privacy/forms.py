"""Forms of the data-rights pages."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, Length

from ortsverein.forms import Form

from ..i18n import _l
from ..markdown import MARKDOWN_HINT
from .texts import MAX_CHARS


class LegalTextForm(Form):
    body = TextAreaField(
        _l("Text"),
        validators=[Length(max=MAX_CHARS)],
        description=MARKDOWN_HINT,
        render_kw={"rows": 20},
    )


class ExportForm(Form):
    """Only the CSRF token: the button asks for an export."""


class DeleteAccountForm(Form):
    password = PasswordField(
        _l("Dein Passwort"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    delete_texts = BooleanField(
        _l("Auch meine Beiträge löschen (ihr Platz im Thema bleibt mit einem Hinweis)")
    )
    confirm = BooleanField(
        _l("Ich will mein Konto endgültig löschen."),
        validators=[DataRequired(_l("Bitte bestätige die Löschung."))],
    )


class BoardDeleteForm(Form):
    delete_texts = BooleanField(
        _l("Auch die Beiträge löschen (ihr Platz im Thema bleibt mit einem Hinweis)")
    )
    confirm = BooleanField(
        _l("Das Konto endgültig löschen."),
        validators=[DataRequired(_l("Bitte bestätige die Löschung."))],
    )
