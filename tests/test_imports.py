"""Imports from the browser's point of view: upload checks, per-file presets, column mappings, load, rollback."""

from __future__ import annotations

import datetime as dt

import pytest

from renewal_radar import db, imports
from renewal_radar.ingest import mappings

SUBS = "account_id,start_date,end_date,mrr\nK1,2024-01-01,2025-01-01,100\nK2,2024-02-01,,50\n"
ODD_SUBS = "Kunde,Beginn,Ende,Monatsbetrag\nK1,2024-01-01,2025-01-01,100\nK2,2024-02-01,,50\n"


@pytest.fixture()
def live(tmp_path, monkeypatch):
    monkeypatch.setenv("RENEWAL_RADAR_DB", str(tmp_path / "live.duckdb"))
    monkeypatch.setattr(imports, "UPLOAD_ROOT", tmp_path / "uploads")
    monkeypatch.setattr(mappings, "MAPPINGS_PATH", tmp_path / "mappings.json")
    return tmp_path / "live.duckdb"


def test_uploads_of_other_types_or_too_large_are_refused(live, monkeypatch):
    with pytest.raises(imports.UploadError, match="only CSV"):
        imports.save_uploads([("notes.pdf", b"%PDF")])
    monkeypatch.setattr(imports, "MAX_UPLOAD_BYTES", 10)
    with pytest.raises(imports.UploadError, match="limit"):
        imports.save_uploads([("subscriptions.csv", SUBS.encode())])


def test_unknown_headers_are_mapped_remembered_and_loaded(live):
    folder = imports.save_uploads([("subscriptions.csv", ODD_SUBS.encode())])
    described = imports.describe_folder(folder, {})
    assert described[0]["table"] == "subscriptions"
    assert described[0]["unmatched"] == ["Kunde", "Beginn", "Ende", "Monatsbetrag"]
    assert set(described[0]["missing"]) == {"account_id", "start_date", "mrr"}
    assert not imports.validate(folder, {}, {}).ok
    chosen = {"subscriptions.csv": {"Kunde": "account_id", "Beginn": "start_date", "Ende": "end_date",
                                    "Monatsbetrag": "mrr"}}
    assert imports.validate(folder, {}, chosen).ok
    steps = []
    result = imports.load(folder, {}, chosen, dt.date(2024, 6, 1), lambda f, text: steps.append(f))
    assert result.loaded and steps[-1] == 1.0
    again = imports.describe_folder(imports.save_uploads([("subscriptions.csv", ODD_SUBS.encode() + b"\n")]), {})
    assert again[0]["remembered"]["Monatsbetrag"] == "mrr"  # remembered for next time


def test_load_then_roll_back(live):
    first = imports.save_uploads([("subscriptions.csv", SUBS.encode())])
    assert imports.load(first, {}, {}, None, lambda f, t: None).loaded
    assert not imports.can_roll_back()
    second = imports.save_uploads([("subscriptions.csv", (SUBS + "K3,2024-03-01,,70\n").encode())])
    assert imports.load(second, {"subscriptions.csv": "generic"}, {}, None, lambda f, t: None).loaded
    con = db.connect(live)
    assert db.query(con, "select count(*) as n from accounts_dim")["n"][0] == 3
    con.close()
    assert imports.can_roll_back()
    imports.rollback()
    con = db.connect(live)
    assert db.query(con, "select count(*) as n from accounts_dim")["n"][0] == 2
    assert db.query(con, "select count(*) as n from import_history")["n"][0] == 1
    con.close()


def test_before_the_first_file_the_page_says_what_it_reads_and_its_templates_load(live, tmp_path):
    import io
    import zipfile

    from streamlit.testing.v1 import AppTest

    from renewal_radar.ingest import import_folder
    from tests.conftest import ROOT

    app = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    app.run()
    app.switch_page("pages/import.py").run()
    assert not app.exception
    assert "What the import reads" in [s.value for s in app.subheader]
    listed = app.dataframe[0].value
    assert listed.iloc[0].tolist()[0] == "subscriptions.csv" and "account_id" in listed.iloc[0].tolist()[2]
    assert any("Salesforce" in m.value for m in app.markdown)
    # the example files are a book the import loads as it is
    folder = tmp_path / "templates"
    zipfile.ZipFile(io.BytesIO(imports.templates_zip())).extractall(folder)
    assert {"subscriptions.csv", "accounts.csv"} <= {p.name for p in folder.iterdir()}
    result = import_folder(folder, tmp_path / "templates.duckdb")
    assert result.loaded, result.report.text()
