"""The figure registry: every KPI card a page shows is registered with a label, kind, help and spec section,
each translated; the formulas every module uses give the hand-checked answers."""

from __future__ import annotations

import ast

import polars as pl
import pytest
from babel.messages.pofile import read_po

from renewal_radar import figures, i18n
from renewal_radar.ui import cards
from tests.conftest import ROOT

LANGUAGES = ("ko", "ja", "zh_TW")


def _catalogue(lang: str) -> dict[str, str]:
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "renewal_radar.po").open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale=lang) if m.id and isinstance(m.id, str)}


def _shown_figures() -> list[tuple[str, int, str | None]]:
    """(page file, line, figure name) of every KPI card on the pages: ``ui.metric(container, "name", …)`` or
    ``cards.metric("name", …)`` in a ``with ui.card_row() as cards`` row, and ``None`` for a card drawn around the
    registry (``container.metric(…)``)."""
    found = []
    for path in sorted((ROOT / "pages").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        rows = {item.optional_vars.id for node in ast.walk(tree) if isinstance(node, ast.With)
                for item in node.items if isinstance(item.optional_vars, ast.Name)
                and ast.unparse(item.context_expr) == "ui.card_row()"}
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "metric":
                receiver = node.func.value.id if isinstance(node.func.value, ast.Name) else None
                position = 1 if receiver == "ui" else 0 if receiver in rows else None
                named = position is not None and isinstance(node.args[position], ast.Constant)
                found.append((path.name, node.lineno, node.args[position].value if named else None))
    return found


def test_every_card_on_every_page_is_a_registered_figure():
    shown = _shown_figures()
    assert len(shown) > 50
    assert [(page, line) for page, line, name in shown if name is None] == []  # no card around the registry
    assert sorted({name for _, _, name in shown} - set(figures.FIGURES)) == []


@pytest.mark.parametrize("name", sorted(figures.FIGURES))
def test_each_figure_has_a_label_kind_help_and_spec_section(name):
    entry = figures.FIGURES[name]
    assert entry.label.strip() and entry.kind in figures.KINDS and entry.spec
    assert entry.help and all(part.strip() for part in entry.help)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_each_figure_label_and_help_is_translated(lang):
    catalogue = _catalogue(lang)
    untranslated = [text for entry in figures.FIGURES.values() for text in (entry.label, *entry.help)
                    if not catalogue.get(text)]
    assert untranslated == []


def test_a_shown_figure_without_registry_entry_fails():
    with pytest.raises(KeyError):
        cards.help_of("not_a_figure")


def test_a_card_reads_label_help_and_format_from_the_registry():
    with i18n.language("ko"):
        help_text = cards.help_of("red_accounts", {"n": 40})
        assert help_text == i18n.t("Health below {n:.0f}.", n=40) and "40" in help_text
        assert cards.formatted("percent", 0.875) == i18n.percent(0.875)
    assert cards.formatted("money", 1_234_567, "USD") == "$1.2M"
    assert cards.formatted("count", 1234) == "1,234"
    assert cards.formatted("money", None, "USD") == "—"
    # the help of ARR now is the plain definitions of ARR and MRR, in that order
    assert cards.help_of("arr_now") == figures.help_text("arr", "mrr")


def test_the_formulas_on_hand_rows():
    rows = pl.DataFrame({"mrr": [100.0, 50.0], "probability": [0.9, 0.2], "due_arr": [1200.0, 600.0],
                         "churn_probability": [0.1, 0.5]})
    found = rows.select(figures.arr().alias("arr"), figures.weighted_forecast_arr().alias("weighted"),
                        figures.expected_renewal_loss_arr().alias("loss"))
    assert found["arr"].to_list() == [1200.0, 600.0]
    assert found["weighted"].to_list() == pytest.approx([1080.0, 120.0])
    assert found["loss"].to_list() == pytest.approx([120.0, 480.0])
    # weighted + loss = due: the two halves of every renewal
    assert (found["weighted"] + found["loss"]).to_list() == pytest.approx(rows["due_arr"].to_list())
    churn = rows.with_columns(figures.arr().alias("arr")).select(figures.expected_churn_arr())
    assert churn.to_series().to_list() == pytest.approx([120.0, 300.0])
    assert figures.ARR_PER_MRR * 100 == 1200
