"""Forms of login, activation, reset and the profile page."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, PasswordField, SelectField, StringField

# WTForms has SelectChoice; its stubs (types-WTForms 3.2) do not list it yet.
from wtforms.fields import SelectChoice  # type: ignore[attr-defined]
from wtforms.validators import DataRequired, Email, EqualTo, Length, Regexp

from ortsverein.forms import Form

from ..i18n import _l
from .passwords import MIN_PASSWORD_LENGTH


class LoginForm(Form):
    email = StringField(
        _l("E-Mail-Adresse"),
        validators=[DataRequired(), Email()],
        render_kw={"autocomplete": "username", "inputmode": "email"},
    )
    password = PasswordField(
        _l("Passwort"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )
    next = HiddenField()


class TotpForm(Form):
    code = StringField(
        _l("Sicherheitscode aus deiner Authenticator-App"),
        validators=[
            DataRequired(),
            Regexp(r"^\s*\d{6}\s*$", message=_l("Der Code hat 6 Ziffern.")),
        ],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class SetPasswordForm(Form):
    password = PasswordField(
        _l("Neues Passwort"),
        validators=[DataRequired(), Length(min=MIN_PASSWORD_LENGTH)],
        render_kw={"autocomplete": "new-password"},
        description=_l("Mindestens 10 Zeichen."),
    )
    confirm = PasswordField(
        _l("Passwort wiederholen"),
        validators=[
            DataRequired(),
            EqualTo("password", message=_l("Die Passwörter stimmen nicht überein.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )


class ChangePasswordForm(SetPasswordForm):
    current = PasswordField(
        _l("Aktuelles Passwort"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ResetRequestForm(Form):
    email = StringField(
        _l("E-Mail-Adresse"),
        validators=[DataRequired(), Email()],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


# Each language in its own name; the header of every page lists them too.
LANGUAGE_CHOICES = (("de", "Deutsch"), ("en", "English"))


class LanguageForm(Form):
    lang = SelectField(
        _l("Sprache"),
        choices=[SelectChoice(code, name) for code, name in LANGUAGE_CHOICES],
    )
    next = HiddenField()


GENDERS = ("w", "m", "d")  # the values a member may state (models.Member.gender)


class GenderForm(Form):
    """The member's optional gender, used only for the quota count of elections."""

    gender = SelectField(
        _l("Geschlecht (freiwillig)"),
        choices=[
            SelectChoice("", _l("keine Angabe")),
            SelectChoice("w", _l("weiblich")),
            SelectChoice("m", _l("männlich")),
            SelectChoice("d", _l("divers")),
        ],
        description=_l(
            "Nur für Quoten bei Wahlen: allein die Auszählung einer Wahl, für die du "
            "kandidierst, liest diese Angabe. Niemand sonst sieht sie."
        ),
    )


class TokenForm(Form):
    name = StringField(
        _l("Name des Tokens (z. B. „Handy-App“)"),
        validators=[DataRequired(), Length(max=100)],
    )


class DisableTotpForm(Form):
    password = PasswordField(
        _l("Passwort"),
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password"},
    )


class ConfirmForm(Form):
    """An empty form: a button that posts with a CSRF token."""

    confirm = BooleanField(default=True)
