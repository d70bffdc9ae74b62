"""Every screen reads cleanly (issue 37): every page the navigation lists, in each language, in headless Chromium.

``python -m tools.screens --db PATH [--width 1280 --width 1440] [--language en ko ja zh-TW] [--page …] [--shots DIR]``

Starts the app as ``make run`` does against a copy of ``PATH``, opens the Overview in a browser speaking the
language, walks every page through the sidebar and, on each, reports:

- **cut-off text**: an element that clips its own text (narrower than its text, or an ellipsis), and chart text
  drawn outside its chart or too small to read;
- **English left** in a ko / ja / zh-TW screen: a word of the app's own English messages (the catalogue's msgids)
  that is not a data value of the book (account, product, feature, person, segment names) nor an acronym;
- **console errors and exceptions**.

Saves a full-page screenshot of each page and exits 1 when any page has a problem. The test suite runs the same
check at 1280 px (``tests/test_screens.py``).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

from bench.browser import page_paths, wait_drawn
from bench.load import CHROMIUM, CHROMIUM_ARGS, server
from renewal_radar import db, sql
from renewal_radar.settings import REPO_ROOT

LANGUAGES = ("en", "ko", "ja", "zh-TW")
CATALOGUE = REPO_ROOT / "renewal_radar" / "locales" / "renewal_radar.pot"
# Words every language writes in Latin letters: acronyms of the trade, units, currency and file kinds.
LATIN_IN_EVERY_LANGUAGE = frozenset((
    "arr", "mrr", "grr", "nrr", "csm", "csms", "nps", "csat", "crm", "qbr", "sql", "csv", "zip", "pdf", "png",
    "html", "json", "toml", "xlsx", "utf", "usd", "eur", "jpy", "krw", "twd", "gbp", "auc", "roc", "api", "url",
    "id", "ids", "kpi", "ok", "am", "pm", "yoy", "sso", "oidc", "duckdb", "stripe", "chartmogul", "salesforce",
    "hubspot", "gainsight", "tsv", "parquet", "cpu", "log", "readme", "streamlit", "powerpoint", "excel", "spark",
    "greenwood", "fader", "hardie", "kaplan", "meier", "weibull",
))
# Elements whose clipping is a scroll, not a cut: the grid draws its own cells, code and the editor scroll.
SCROLLERS = ('[data-testid="stDataFrame"]', '[data-testid="stCode"]', "pre", "textarea", "input",
             '[data-testid="stSidebarNav"]', '[data-baseweb="tab-list"]', ".js-plotly-plot")

CUT_OFF = """scrollers => {
  const cut = [];
  const inScroller = el => scrollers.some(s => el.closest(s));
  const ownText = el => [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('').trim();
  for (const el of document.querySelectorAll('[data-testid="stAppViewContainer"] *')) {
    if (!(el instanceof HTMLElement) || inScroller(el) || !el.checkVisibility()) continue;
    if (el.getBoundingClientRect().width <= 1) continue;  // read to screen readers only
    const text = (ownText(el) || (el.children.length === 0 ? el.innerText : '')).trim();
    if (!text) continue;
    // the element itself, or the first ancestor that hides what overflows it, is narrower than the text
    let box = el;
    for (let i = 0; i < 4 && box; i++, box = box.parentElement) {
      const style = getComputedStyle(box);
      const clips = style.overflowX !== 'visible' || style.textOverflow === 'ellipsis';
      if (clips && box.scrollWidth > box.clientWidth + 1) {
        cut.push(text.slice(0, 80));
        break;
      }
    }
  }
  // chart text drawn outside its chart or too small to read (hidden legend items aside)
  for (const chart of document.querySelectorAll('.js-plotly-plot')) {
    if (!chart.checkVisibility()) continue;
    const frame = chart.getBoundingClientRect();
    for (const label of chart.querySelectorAll('text')) {
      const text = label.textContent.trim();
      if (!text || !label.checkVisibility() || getComputedStyle(label).opacity === '0') continue;
      const r = label.getBoundingClientRect();
      if (r.width === 0) continue;
      const size = parseFloat(getComputedStyle(label).fontSize);
      if (r.left < frame.left - 1 || r.right > frame.right + 1 || r.top < frame.top - 1 || r.bottom > frame.bottom + 1)
        cut.push('chart text outside its chart: ' + text.slice(0, 80));
      else if (size < 8) cut.push('chart text of ' + size + ' px: ' + text.slice(0, 80));
    }
  }
  return [...new Set(cut)];
}"""
# What a person reads: the sidebar and the page, and the text of every chart on screen.
# Icons (Material ligatures such as "calendar_month"), identifiers set as code (table, column and file names) and
# text only a screen reader gets ("Skip to main content") are not words a person reads.
VISIBLE_TEXT = """() => {
  const app = document.querySelector('[data-testid="stAppViewContainer"]');
  const walker = document.createTreeWalker(app, NodeFilter.SHOW_TEXT);
  const texts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || el.closest('[data-testid="stIconMaterial"], code, [data-testid="stCode"], textarea, style, script'))
      continue;
    if (!el.checkVisibility() || el.getBoundingClientRect().width <= 1) continue;
    if (parseFloat(getComputedStyle(el).fontSize) === 0) continue;  // replaced by the page's own words
    texts.push(node.textContent);
  }
  return texts.join('\\n');
}"""


@dataclass
class Findings:
    """The problems of every page walked, by (language, width, page)."""

    problems: dict[tuple[str, int, str], list[str]] = field(default_factory=dict)

    def add(self, where: tuple[str, int, str], found: list[str]) -> None:
        if found:
            self.problems.setdefault(where, []).extend(found)

    def report(self) -> str:
        """One line per problem, under its page."""
        lines = []
        for (language, width, page), found in self.problems.items():
            lines.append(f"{page or 'overview'} · {language} · {width} px")
            lines.extend(f"  - {problem}" for problem in found)
        return "\n".join(lines)


def app_words() -> frozenset[str]:
    """Every word of three letters or more in the app's English messages (the catalogue's msgids)."""
    messages = re.findall(r'^msgid(?:_plural)? ((?:".*"\n?)+)', CATALOGUE.read_text(encoding="utf-8"), re.M)
    text = " ".join(re.sub(r'"\n"', "", message) for message in messages)
    text = re.sub(r"\{[^}]*\}", " ", text)  # placeholders are not words
    return frozenset(word.lower() for word in re.findall(r"[A-Za-z]{3,}", text)) - LATIN_IN_EVERY_LANGUAGE


def data_words(database: Path) -> frozenset[str]:
    """Every word of the book's names (``queries/lookups/data_names.sql``), lower case."""
    con = db.connect(database)
    try:
        names = sql.run(con, "lookups/data_names")["value"]
    finally:
        con.close()
    return frozenset(word.lower() for name in names for word in re.findall(r"[A-Za-z]{3,}", str(name)))


# file, table and column names (targets.csv, usage_daily, data/README.md) are identifiers, not words
IDENTIFIER = re.compile(r"[\w-]*(?:_|/|\.[A-Za-z]{2,})[\w./-]*")


def english_left(text: str, english: frozenset[str], data: frozenset[str]) -> list[str]:
    """The app's English words in ``text`` that are no data value, each once, in order of appearance."""
    seen: dict[str, str] = {}
    for line in text.splitlines():
        for word in re.findall(r"[A-Za-z]{3,}", IDENTIFIER.sub(" ", line)):
            lower = word.lower()
            if lower in english and lower not in data and word not in seen:
                seen[word] = line.strip()[:100]
    return [f"English: {word} (in: {line})" for word, line in seen.items()]


def page_problems(page: Page, language: str, english: frozenset[str], data: frozenset[str]) -> list[str]:
    """Cut-off text, English left (other languages than English), exceptions and console errors on the page."""
    found = [f"cut off: {text}" for text in page.evaluate(CUT_OFF, list(SCROLLERS))]
    if language != "en":
        found += english_left(page.evaluate(VISIBLE_TEXT), english, data)
    for box in page.locator('[data-testid="stException"]').all():
        found.append("exception: " + box.inner_text()[:200])
    found += [f"console: {message[:200]}" for message in page.console_errors]
    page.console_errors.clear()
    return found


def watch_console(page: Page) -> None:
    """Record the page's console errors, uncaught exceptions and failed loads in ``page.console_errors`` (a failed
    load once, by its status and address, not again as the console's "Failed to load resource")."""
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and not message.text.startswith(
        "Failed to load resource") and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.on("response", lambda response: response.status >= 400 and page.console_errors.append(
        f"{response.status} {response.url}"))


def walk(browser, url: str, language: str, width: int, shots: Path, findings: Findings, database: Path,
         only: tuple[str, ...] = (), every_shot: bool = True) -> dict[str, str]:
    """Open the Overview in ``language`` at ``width`` px, then every page (or those named in ``only``) through the
    sidebar; check each and save its full-page screenshot (``every_shot`` False: only of a page with a problem,
    as the suite runs it: a full-page shot costs the browser about a second). Returns each page's title as
    shown, by URL path."""
    english, data = app_words(), data_words(database)
    context = browser.new_context(viewport={"width": width, "height": 800 if width < 1440 else 900},
                                  locale=language)
    page = context.new_page()
    watch_console(page)
    titles = {}
    try:
        page.goto(url)
        for path in page_paths():
            if only and (path or "overview") not in only:
                continue
            if path:
                page.locator(f'[data-testid="stSidebarNav"] a[href="{url}/{path}"]').first.click()
                page.wait_for_url(f"{url}/{path}**")
            wait_drawn(page)
            titles[path] = page.locator('[data-testid="stMainBlockContainer"] h1').first.inner_text()
            problems = page_problems(page, language, english, data)
            if every_shot or problems:
                page.screenshot(path=str(shots / f"{path or 'overview'}-{language}-{width}.png"), full_page=True)
            findings.add((language, width, path), problems)
    finally:
        context.close()
    return titles


def check(url: str, database: Path, languages, widths, shots: Path, only: tuple[str, ...] = ()) -> Findings:
    """Walk every page (or those in ``only``) in every language and width against the app at ``url``."""
    shots.mkdir(parents=True, exist_ok=True)
    findings = Findings()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for width in widths:
                for language in languages:
                    walk(browser, url, language, width, shots, findings, database, only)
        finally:
            browser.close()
    return findings


def main() -> None:
    """Check every page on a copy of the database given; exit 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--width", type=int, action="append", help="1280 and 1440 unless given")
    parser.add_argument("--language", nargs="+", default=list(LANGUAGES), choices=LANGUAGES)
    parser.add_argument("--page", nargs="+", default=[], help="only these pages (file stems: overview, at_risk…)")
    parser.add_argument("--shots", default=str(REPO_ROOT / "tests" / "screenshots" / "screens"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        database = Path(folder) / "screens.duckdb"
        shutil.copy(args.db, database)
        with server(database, f"0-{os.cpu_count() - 1}", Path(folder) / "server.log") as (url, _):
            findings = check(url, database, args.language, args.width or [1280, 1440], Path(args.shots),
                             tuple(args.page))
    print(findings.report() or "every page reads cleanly")
    sys.exit(1 if findings.problems else 0)


if __name__ == "__main__":
    main()
