"""A presentation pack, independent of its content: slides with one message each, rendered as a 16:9 PDF
(HTML and CSS through WeasyPrint) and as a PowerPoint deck (python-pptx) that hold the same text.

Every slide has a headline that says its message, an optional line under it, and up to four parts in this order:
figure tiles, a chart (a PNG sized to the slide), a table and bullet points. Each page carries the company
name, the pack's title and its page number. Every value that comes from the data is HTML-escaped before it
reaches the PDF's HTML.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field

SLIDE_WIDTH_IN, SLIDE_HEIGHT_IN = 13.333, 7.5
CHART_SIZE_PX = (1300, 520)  # the chart images' size: the slide's content width at 100 px per inch
FONT_STACK = ("'Noto Sans', 'Noto Sans CJK KR', 'Noto Sans CJK JP', 'Noto Sans CJK TC', 'Noto Sans CJK SC', "
              "sans-serif")
INK, MUTED, ACCENT = "263238", "607D8B", "1E88E5"


@dataclass
class Tile:
    """One figure on a slide: its label, its value and what it is compared with."""

    label: str
    value: str
    note: str = ""


@dataclass
class Slide:
    """One message: a headline that says it, and what backs it up."""

    headline: str
    subtitle: str = ""
    tiles: list[Tile] = field(default_factory=list)
    chart: bytes | None = None          # PNG
    table: tuple[list[str], list[list[str]]] | None = None  # header, rows (already formatted)
    bullets: list[str] = field(default_factory=list)


@dataclass
class Deck:
    """A pack: its title, what it covers, who made it, and its slides (the first is the cover)."""

    title: str
    subtitle: str
    company: str
    slides: list[Slide] = field(default_factory=list)
    cover: bool = True  # a one- or two-page sheet has its title on its first slide instead

    @property
    def footer(self) -> str:
        """The line every page carries beside its number."""
        return f"{self.company} · {self.title}" if self.company else self.title


# ---------------------------------------------------------------- PDF


def _tiles_html(tiles: list[Tile]) -> str:
    cells = "".join(f'<div class="tile"><div class="label">{html.escape(tile.label)}</div>'
                    f'<div class="value">{html.escape(tile.value)}</div>'
                    f'<div class="note">{html.escape(tile.note)}</div></div>' for tile in tiles)
    return f'<div class="tiles">{cells}</div>' if tiles else ""


def _table_html(table: tuple[list[str], list[list[str]]] | None) -> str:
    if not table:
        return ""
    header, rows = table
    head = "".join(f"<th>{html.escape(cell)}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _slide_html(slide: Slide) -> str:
    chart = (f'<img class="chart" src="data:image/png;base64,{base64.b64encode(slide.chart).decode()}">'
             if slide.chart else "")
    bullets = "".join(f"<li>{html.escape(line)}</li>" for line in slide.bullets)
    return (f'<section class="slide"><h2>{html.escape(slide.headline)}</h2>'
            f'<p class="subtitle">{html.escape(slide.subtitle)}</p>{_tiles_html(slide.tiles)}{chart}'
            f'{_table_html(slide.table)}{f"<ul>{bullets}</ul>" if bullets else ""}</section>')


def _cover_html(deck: Deck) -> str:
    if deck.cover:
        return (f'<section class="cover"><h1>{html.escape(deck.title)}</h1><p>{html.escape(deck.subtitle)}</p>'
                f"<p>{html.escape(deck.company)}</p></section>")
    # no cover: the title heads the first page, which then needs no page break before it
    return f'<p class="sheet-title">{html.escape(deck.title)} · {html.escape(deck.subtitle)}</p>'


def to_pdf(deck: Deck) -> bytes:
    """The pack as a 16:9 PDF: a cover, then one page per slide, each numbered."""
    from weasyprint import HTML

    footer = deck.footer.replace("\\", "\\\\").replace('"', '\\"')
    document = f"""<html><head><meta charset="utf-8"><style>
        @page {{ size: {SLIDE_WIDTH_IN}in {SLIDE_HEIGHT_IN}in; margin: 0.45in 0.5in 0.55in 0.5in;
                @bottom-left {{ content: "{footer}"; font: 9pt {FONT_STACK}; color: #{MUTED}; }}
                @bottom-right {{ content: counter(page) " / " counter(pages); font: 9pt {FONT_STACK};
                                 color: #{MUTED}; }} }}
        body {{ font-family: {FONT_STACK}; color: #{INK}; margin: 0; }}
        .cover {{ padding-top: 1.6in; }} .cover h1 {{ font-size: 34pt; margin: 0 0 10pt 0; }}
        .cover p {{ font-size: 15pt; color: #{MUTED}; margin: 4pt 0; }}
        .slide {{ page-break-before: always; }}
        .sheet-title {{ font-size: 11pt; color: #{MUTED}; margin: 0 0 6pt 0; }}
        .sheet-title + .slide {{ page-break-before: avoid; }}
        h2 {{ font-size: 24pt; margin: 0 0 4pt 0; color: #{INK}; }}
        .subtitle {{ font-size: 12pt; color: #{MUTED}; margin: 0 0 12pt 0; min-height: 12pt; }}
        .tiles {{ display: flex; gap: 10pt; margin-bottom: 12pt; }}
        .tile {{ flex: 1; border-top: 3pt solid #{ACCENT}; padding: 6pt 4pt 0 0; }}
        .tile .label {{ font-size: 10.5pt; color: #{MUTED}; }}
        .tile .value {{ font-size: 22pt; font-weight: bold; }}
        .tile .note {{ font-size: 9.5pt; color: #{MUTED}; }}
        .chart {{ width: 100%; max-height: 3.9in; object-fit: contain; }}
        table {{ border-collapse: collapse; width: 100%; font-size: 10.5pt; }}
        th {{ text-align: left; border-bottom: 1.5pt solid #{INK}; padding: 3pt 6pt; }}
        td {{ border-bottom: 0.5pt solid #CFD8DC; padding: 3pt 6pt; }}
        th + th, td + td {{ text-align: right; }}  /* the first column names the row, the others are figures */
        ul {{ margin: 6pt 0 0 0; padding-left: 16pt; }} li {{ font-size: 13pt; margin-bottom: 6pt; }}
    </style></head><body>
    {_cover_html(deck)}
    {"".join(_slide_html(slide) for slide in deck.slides)}
    </body></html>"""
    return HTML(string=document).write_pdf()


# ---------------------------------------------------------------- PowerPoint


def to_pptx(deck: Deck) -> bytes:
    """The pack as a 16:9 PowerPoint deck with the same slides and text as the PDF."""
    from pptx import Presentation
    from pptx.util import Inches

    presentation = Presentation()
    presentation.slide_width, presentation.slide_height = Inches(SLIDE_WIDTH_IN), Inches(SLIDE_HEIGHT_IN)
    blank = presentation.slide_layouts[6]
    total = len(deck.slides) + deck.cover
    if deck.cover:
        cover = presentation.slides.add_slide(blank)
        _text(cover, deck.title, 0.5, 2.2, 12.3, 1.0, 34, bold=True)
        _text(cover, deck.subtitle, 0.5, 3.3, 12.3, 0.6, 15, color=MUTED)
        _text(cover, deck.company, 0.5, 3.9, 12.3, 0.5, 15, color=MUTED)
        _footer(cover, deck.footer, 1, total)
    for number, slide in enumerate(deck.slides, start=1 + deck.cover):
        page = presentation.slides.add_slide(blank)
        if not deck.cover and number == 1:
            _text(page, f"{deck.title} · {deck.subtitle}", 0.5, 0.05, 12.3, 0.3, 10, color=MUTED)
        _slide_shapes(page, slide)
        _footer(page, deck.footer, number, total)
    buffer = io.BytesIO()
    presentation.save(buffer)
    return buffer.getvalue()


def _slide_shapes(page, slide: Slide) -> None:
    """The slide's headline, line, tiles, chart, table and bullets, top to bottom within the slide."""
    from pptx.util import Inches

    _text(page, slide.headline, 0.5, 0.35, 12.3, 0.7, 24, bold=True)
    _text(page, slide.subtitle, 0.5, 1.0, 12.3, 0.4, 12, color=MUTED)
    top = 1.5
    if slide.tiles:
        width = 12.3 / len(slide.tiles)
        for index, tile in enumerate(slide.tiles):
            left = 0.5 + index * width
            _text(page, tile.label, left, top, width - 0.15, 0.3, 10.5, color=MUTED)
            _text(page, tile.value, left, top + 0.3, width - 0.15, 0.55, 22, bold=True)
            _text(page, tile.note, left, top + 0.85, width - 0.15, 0.3, 9.5, color=MUTED)
        top += 1.3
    room = SLIDE_HEIGHT_IN - 0.6 - top
    if slide.chart:
        height = min(room if not (slide.table or slide.bullets) else room * 0.6,
                     12.3 * CHART_SIZE_PX[1] / CHART_SIZE_PX[0])
        picture = page.shapes.add_picture(io.BytesIO(slide.chart), Inches(0.5), Inches(top), height=Inches(height))
        picture.left = int((Inches(SLIDE_WIDTH_IN) - picture.width) / 2)
        top += height + 0.15
    if slide.table:
        top += _table(page, slide.table, top, SLIDE_HEIGHT_IN - 0.6 - top) + 0.15
    if slide.bullets:
        _bullets(page, slide.bullets, top, max(0.5, SLIDE_HEIGHT_IN - 0.6 - top))


def _text(page, text: str, left: float, top: float, width: float, height: float, size: float,
          bold: bool = False, color: str = INK, align=None):
    from pptx.dml.color import RGBColor
    from pptx.util import Inches, Pt

    box = page.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    paragraph = frame.paragraphs[0]
    if align is not None:
        paragraph.alignment = align
    run = paragraph.add_run()
    run.text = text
    run.font.size, run.font.bold, run.font.color.rgb = Pt(size), bold, RGBColor.from_string(color)
    return box


def _footer(page, footer: str, number: int, total: int) -> None:
    from pptx.enum.text import PP_ALIGN

    _text(page, footer, 0.5, SLIDE_HEIGHT_IN - 0.45, 9.0, 0.3, 9, color=MUTED)
    _text(page, f"{number} / {total}", 11.3, SLIDE_HEIGHT_IN - 0.45, 1.5, 0.3, 9, color=MUTED, align=PP_ALIGN.RIGHT)


def _table(page, table: tuple[list[str], list[list[str]]], top: float, room: float) -> float:
    """A table at ``top``, rows as tall as the room allows (0.3 in at most); returns its height."""
    from pptx.util import Inches, Pt

    header, rows = table
    row_height = min(0.3, room / (len(rows) + 1))
    shape = page.shapes.add_table(len(rows) + 1, len(header), Inches(0.5), Inches(top), Inches(12.3),
                                  Inches(row_height * (len(rows) + 1)))
    grid = shape.table
    for column, cell_text in enumerate(header):
        _cell(grid.cell(0, column), cell_text, Pt(10.5), bold=True)
    for row_index, row in enumerate(rows, start=1):
        for column, cell_text in enumerate(row):
            _cell(grid.cell(row_index, column), cell_text, Pt(10.5))
    return row_height * (len(rows) + 1)


def _cell(cell, text: str, size, bold: bool = False) -> None:
    cell.text = text
    for paragraph in cell.text_frame.paragraphs:
        for run in paragraph.runs:
            run.font.size, run.font.bold = size, bold


def _bullets(page, lines: list[str], top: float, height: float) -> None:
    from pptx.util import Inches, Pt

    box = page.shapes.add_textbox(Inches(0.5), Inches(top), Inches(12.3), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for index, line in enumerate(lines):
        paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
        run = paragraph.add_run()
        run.text = f"• {line}"
        run.font.size = Pt(15)
        paragraph.space_after = Pt(8)


def slide_texts(deck: Deck) -> list[str]:
    """Every text of the deck, slide by slide (what the tests and a reviewer read)."""
    texts = [f"{deck.title}\n{deck.subtitle}\n{deck.company}"]
    for slide in deck.slides:
        parts = [slide.headline, slide.subtitle, *[f"{t.label} {t.value} {t.note}" for t in slide.tiles]]
        if slide.table:
            parts += [" ".join(slide.table[0]), *[" ".join(row) for row in slide.table[1]]]
        texts.append("\n".join(parts + slide.bullets))
    return texts
