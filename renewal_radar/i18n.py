"""Every user-facing string goes through :func:`t`.

Catalogues are standard gettext ``.mo`` files under ``renewal_radar/locales``;
English is the source language, so with no catalogue the message itself is
shown. ``RENEWAL_RADAR_LANG`` picks the language.
"""

from __future__ import annotations

import functools
import gettext
import os
from pathlib import Path

LOCALE_DIR = Path(__file__).resolve().parent / "locales"


@functools.cache
def _catalogue(language: str) -> gettext.NullTranslations:
    return gettext.translation("renewal_radar", LOCALE_DIR, languages=[language], fallback=True)


def t(message: str, **values) -> str:
    """The message in the user's language, with ``{name}`` placeholders filled in."""
    text = _catalogue(os.environ.get("RENEWAL_RADAR_LANG", "en")).gettext(message)
    return text.format(**values) if values else text
