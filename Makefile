SHELL := /bin/bash
# Quick start: `make run` (set up, build the demo database if there is none, start the app)
# and `make test` (set up, install Chromium for the browser tests, lint, run every test).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DB ?= data/renewal_radar.duckdb
PORT ?= 8501
SUDO := $(shell [ "$$(id -u)" -eq 0 ] || echo sudo)

.PHONY: run test setup demo chromium lint bench lock clean

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP)

$(DB): | $(STAMP)
	$(PY) -m renewal_radar demo --db $(DB)

demo: $(STAMP)
	$(PY) -m renewal_radar demo --db $(DB)

run: $(STAMP) $(DB)
	RENEWAL_RADAR_DB=$(DB) $(PY) -m streamlit run app.py --server.port $(PORT) --server.headless true

# Debian's Chromium for the real-browser tests, and a CJK font so Korean, Japanese and
# Chinese names render; Playwright's own browser download does not work here.
chromium:
	@command -v chromium >/dev/null 2>&1 && fc-list | grep -qi "CJK" || \
	  ($(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk >/dev/null)

lint: $(STAMP)
	$(PY) -m ruff check .

test: $(STAMP) chromium lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m bench.run

lock:
	PYTHON=$(PYTHON) tools/lock.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/screenshots
