"""The templates' _(), gettext, ngettext, pgettext and npgettext (ortsverein/i18n.py)
give what Jinja's own new-style gettext gives: in both languages, inside a loop and
outside, with variables to escape where the template autoescapes and not where it
does not (plain-text mails), and `%%` read as `%`."""

from __future__ import annotations

import flask_babel
import jinja2
import pytest
from flask import render_template_string

from ortsverein import create_app

SOURCES = [
    '{{ _("zuletzt %(d)s", d=x) }}',
    # a text with markup of its own (not in the catalogue: it stands for itself)
    '{% for n in ns %}{{ _("<em>%(d)s</em> &amp; mehr", d=x) }}{% endfor %}',
    "{% for n in ns %}"
    "{{ ngettext('<i>%(num)d</i> %(d)s', '<i>%(num)d</i> %(d)s', n, d=x) }}"
    "{% endfor %}",
    "{% for n in ns %}{{ ngettext('%(num)d neu', '%(num)d neu', n) }};{% endfor %}",
    "{% for n in ns %}{{ ngettext('%(num)d Thema', '%(num)d Themen', n) }}"
    "{{ _('Seite %(n)s von %(total)s', n=x, total=n) }};{% endfor %}",
    "{% for n in ns %}{{ gettext('%(d)s und 100%%', d=x) }}{% endfor %}",
    "{{ pgettext('Kontext', 'Antworten') }}|"
    "{{ npgettext('K', '%(num)d a', '%(num)d b', 2) }}",
    "{% for n in ns %}{% trans count=n %}{{ count }} Beitrag{% pluralize %}"
    "{{ count }} Beiträge{% endtrans %};{% endfor %}",
]


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("autoescape", [True, False])
def test_template_gettext_matches_jinja_newstyle(tmp_path, lang, autoescape):
    app = create_app("testing", DATABASE_URL="sqlite://", INSTANCE_PATH=str(tmp_path))
    context = {"x": "<b>&</b>", "ns": [0, 1, 2, 25]}
    with app.test_request_context(headers={"Accept-Language": lang}):
        translations = flask_babel.get_translations()
        # both settings are compared: plain-text mails render without escaping
        reference = jinja2.Environment(
            extensions=["jinja2.ext.i18n"],
            autoescape=autoescape,  # noqa: S701
        )
        reference.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=translations.ugettext,
            ngettext=translations.ungettext,
            newstyle=True,
            pgettext=translations.upgettext,
            npgettext=translations.unpgettext,
        )
        for source in SOURCES:
            wrapped = (
                source
                if autoescape
                else ("{% autoescape false %}" + source + "{% endautoescape %}")
            )
            ours = render_template_string(wrapped, **context)
            theirs = reference.from_string(source).render(**context)
            assert ours == theirs, source
            if "x)" in source or "d=x" in source:
                assert ("&lt;b&gt;" in ours) is autoescape, source
