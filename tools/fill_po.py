"""Fill empty entries of the .po catalogues from a table of translations (a translator's helper), and tidy them.

``python tools/fill_po.py TABLE.py``: TABLE.py defines ``T`` (msgid -> (ko, ja, zh_TW)) and optionally
``PLURALS`` ((singular, plural) -> (ko, ja, zh_TW), one form: these languages have no plural). Existing
translations are kept unless ``--replace`` is given. ``python tools/fill_po.py`` alone only tidies (``make
messages`` runs it): the messages use ``{name}`` placeholders only, so the ``python-format`` flag Babel guesses
from a ``%`` ("% of seats") is dropped — ``pybabel compile`` would otherwise reject the translations.
"""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent.parent / "renewal_radar" / "locales"
LANGS = ("ko", "ja", "zh_TW")
FULL_WIDTH_LANGS = ("ja", "zh_TW")  # they write a colon and brackets beside their own script full width
CJK = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uff01-\uff5e"
PLACEHOLDER = re.compile(r"(%?\{[^{}]*\})")
COLON = re.compile(r"(?<!\d):(?!//) ?|(?<=\d):(?![\d/]) ?")  # not in 12:30 nor https://
BRACKETS = re.compile(rf" ?\(([^()]*[{CJK}][^()]*)\)|(?<=[{CJK}])\(([^()]*)\)")


COMMA = re.compile(rf"(?<=[{CJK}]), ?(?=[{CJK}])")
COMMAS = {"ja": "、", "zh_TW": "，"}


def full_width(text: str, lang: str = "zh_TW") -> str:
    """A ja / zh-TW message with full-width colons, brackets and commas: ``2026-Q4：到期``, ``已續約（總額）``,
    ``營收，以`` — a colon outside ``{placeholders}``, times (12:30) and addresses; brackets holding or following
    the language's own script (``log(−log)`` stays); a comma between two of its characters."""
    parts = PLACEHOLDER.split(text)
    text = "".join(part if index % 2 else COMMA.sub(COMMAS[lang], COLON.sub("：", part))
                   for index, part in enumerate(parts))
    return BRACKETS.sub(lambda found: f"（{found.group(1) if found.group(1) is not None else found.group(2)}）", text)


def fill(table: dict, plurals: dict, replace: bool) -> None:
    """Write the table's translations into each language's catalogue (and tidy it)."""
    for index, lang in enumerate(LANGS):
        path = LOCALES / lang / "LC_MESSAGES" / "renewal_radar.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        for message in catalog:
            if not message.id:
                continue
            key = message.id if isinstance(message.id, str) else tuple(message.id)
            found = table.get(key) if isinstance(key, str) else plurals.get(key)
            empty = not message.string or (isinstance(message.string, tuple) and not any(message.string))
            if found and (empty or replace):
                message.string = found[index] if isinstance(key, str) else (found[index],)
            if lang in FULL_WIDTH_LANGS:
                message.string = full_width(message.string, lang) if isinstance(message.string, str) else tuple(
                    full_width(form, lang) for form in message.string)
            message.flags.discard("python-format")
        catalog.fuzzy = False  # the header is reviewed; a fuzzy header would make `pybabel compile` skip the file
        catalog.project, catalog.version = "Renewal Radar", ""
        catalog.copyright_holder, catalog.msgid_bugs_address = "the Renewal Radar authors", ""
        with path.open("wb") as handle:
            write_po(handle, catalog, omit_header=False, width=120)


if __name__ == "__main__":
    tables = [arg for arg in sys.argv[1:] if not arg.startswith("--")]
    names = runpy.run_path(tables[0]) if tables else {}
    fill(names.get("T", {}), names.get("PLURALS", {}), "--replace" in sys.argv)
