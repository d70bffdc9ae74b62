"""The golden outputs stay equal: every command's JSON/CSV and every page's data on the demo and the hand-made
company, against the copy recorded before issue 24's refactor (tools/golden.py says how to record it again)."""

from __future__ import annotations

from tools import golden


def test_every_command_and_page_output_equals_the_recorded_one(demo_db, hand_db):
    recorded = golden.read()
    found = golden.capture(demo_db, hand_db)
    assert golden.differences(recorded, found)[:20] == []


def test_the_comparison_sees_a_moved_figure():
    recorded = {"demo": {"pages": {"overview": [{"arr": 1200.0, "band": "red"}]}}}
    moved = {"demo": {"pages": {"overview": [{"arr": 1200.5, "band": "red"}]}}}
    renamed = {"demo": {"pages": {"overview": [{"arr": 1200.0, "health_band": "red"}]}}}
    assert golden.differences(recorded, moved) == [".demo.pages.overview[0].arr: 1200.0 != 1200.5"]
    assert golden.differences(recorded, renamed)
    assert golden.differences(recorded, {"demo": {"pages": {"overview": [{"arr": 1200.0 * (1 + 1e-12),
                                                                          "band": "red"}]}}}) == []
