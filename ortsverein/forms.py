"""The base of every form: Flask-WTF's, with WTForms' own messages ("Not a valid
integer value.") translated from a catalogue loaded once per process and language.

Flask-WTF loads that catalogue from disk again on every request that builds a form
(flask_wtf.i18n), which was a tenth of a forum page's time. `Meta.get_translations`
is WTForms' public hook for it.
"""

from __future__ import annotations

from babel import support
from flask import current_app, has_request_context
from flask_babel import get_locale
from flask_wtf import FlaskForm
from wtforms.i18n import messages_path

from .caches import Cache

# Key: the language; value: WTForms' catalogue in it. Safe: the catalogue is a file
# shipped with WTForms, the same for every request in that language.
TRANSLATIONS = Cache("wtforms_translations", 16)


def _translations(locale) -> support.Translations:
    return TRANSLATIONS.get_or_make(
        str(locale),
        lambda: support.Translations.load(messages_path(), [locale], domain="wtforms"),
    )


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def get_translations(self, form):
            if not has_request_context() or not current_app.config.get(
                "WTF_I18N_ENABLED", True
            ):
                return super().get_translations(form)
            return _translations(get_locale())
