"""Template translations looked up once per request and locale.

Flask-Babel's template ``_()`` finds the request's translations again for every string (the
babel context on ``g``, the locale, its identifier, a cache lookup): about 29 µs a string, 15 of
them on a phone form page. Here the translations object is kept on ``g`` for the locale it was
made for, so ``force_locale`` (a PDF always in Vietnamese) and ``flask_babel.refresh`` (a new
locale object) still switch language; everything else is Flask-Babel's own.
"""
from __future__ import annotations

from flask import g
from flask_babel import get_locale, get_translations


def translations():
    locale = get_locale()
    cached = g.get("_i18n_translations")
    if cached is None or cached[0] is not locale:
        cached = g._i18n_translations = (locale, get_translations())
    return cached[1]


def init_app(app) -> None:
    """Replace the gettext callables Flask-Babel installed in Jinja (same newstyle semantics)."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
        newstyle=True,
    )
