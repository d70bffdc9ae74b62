"""``pack account …`` and ``pack quarter …`` (cli.md): the packs people present, written to a file (PDF or PPTX by
its suffix), so a schedule can make them; one summary line on stdout."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from renewal_radar import i18n, pack_render
from renewal_radar.cli.output import CliError, open_database
from renewal_radar.metrics import data_as_of

FORMATS = {".pdf": pack_render.to_pdf, ".pptx": pack_render.to_pptx}


def cmd_pack(args) -> None:
    """Build the pack asked for and write it to ``--out``."""
    out = Path(args.out)
    if out.suffix.lower() not in FORMATS:
        raise CliError(f"--out {out.name}: write a .pdf or a .pptx file")
    language = args.lang or i18n.default_language()
    if language not in i18n.LANGUAGES:
        raise CliError(f"--lang {language}: one of {', '.join(i18n.LANGUAGES)}")
    con = open_database(args)
    with i18n.language(language):
        deck, what = _account_deck(con, args) if args.kind == "account" else _quarter_deck(con, args)
        out.write_bytes(FORMATS[out.suffix.lower()](deck))
    pages = len(deck.slides) + deck.cover
    print(f"wrote {out}: {what}, {pages} pages ({language}, {args.currency or 'reporting currency'})")


def _account_deck(con, args) -> tuple[pack_render.Deck, str]:
    from renewal_radar import review_pack

    as_of = args.as_of or data_as_of(con)
    start, end = review_pack.last_quarter(as_of)
    start, end = args.start or start, args.end or end
    if end <= start:
        raise CliError(f"--end {end} is not after --start {start}")
    build = review_pack.build_internal if args.internal else review_pack.build
    deck = build(con, args.target, start, end, as_of, args.currency)
    kind = "preparation sheet" if args.internal else "business review"
    return deck, f"{kind} of {args.target} for {start} – {end - dt.timedelta(days=1)}"


def _quarter_deck(con, args) -> tuple[pack_render.Deck, str]:
    from renewal_radar import quarter_pack, quarters

    label = quarters.parse(args.target).label
    deck = quarter_pack.build(con, label, args.as_of or data_as_of(con), args.currency)
    return deck, f"leadership pack of {label}"
