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

.PHONY: run serve test setup demo system-deps lint bench lock clean messages translations

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

setup: $(STAMP) translations

# Translations: `make messages` extracts every t()/tn() string and updates the .po catalogues (translate the new
# entries, then commit); the .mo files the app loads are built from them here (git-ignored).
LOCALES_DIR := renewal_radar/locales
LANGS := ko ja zh_TW
PO_FILES := $(foreach l,$(LANGS),$(LOCALES_DIR)/$(l)/LC_MESSAGES/renewal_radar.po)
MO_FILES := $(PO_FILES:.po=.mo)

$(LOCALES_DIR)/%/LC_MESSAGES/renewal_radar.mo: $(LOCALES_DIR)/%/LC_MESSAGES/renewal_radar.po | $(STAMP)
	$(VENV)/bin/pybabel compile --use-fuzzy --statistics -D renewal_radar -i $< -o $@

translations: $(MO_FILES)

messages: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k t -k tn:1,2 -k N_ -k _worded --no-location --sort-output --omit-header \
	  -o $(LOCALES_DIR)/renewal_radar.pot app.py pages renewal_radar
	for l in $(LANGS); do \
	  if [ -f $(LOCALES_DIR)/$$l/LC_MESSAGES/renewal_radar.po ]; then \
	    $(VENV)/bin/pybabel update --no-fuzzy-matching --omit-header --ignore-obsolete -D renewal_radar \
	      -i $(LOCALES_DIR)/renewal_radar.pot -d $(LOCALES_DIR) -l $$l; \
	  else $(VENV)/bin/pybabel init -D renewal_radar -i $(LOCALES_DIR)/renewal_radar.pot -d $(LOCALES_DIR) -l $$l; fi; \
	done
	$(PY) tools/fill_po.py

$(DB): | $(STAMP)
	$(PY) -m renewal_radar demo --db $(DB)

demo: $(STAMP)
	$(PY) -m renewal_radar demo --db $(DB)

run: $(STAMP) translations system-deps $(DB)
	RENEWAL_RADAR_DB=$(DB) $(PY) -m renewal_radar.ui.serve --server.port $(PORT) --server.headless true \
	  --server.address 127.0.0.1

# The team server: listens on every interface only when sign-in is configured ([auth] in
# .streamlit/secrets.toml); otherwise it stays on 127.0.0.1 in local mode. Settings: .streamlit/config.toml.
serve: $(STAMP) translations system-deps $(DB)
	@address=$$($(PY) -c 'from renewal_radar.access import bind_address; print(bind_address())'); \
	if [ "$$address" = 127.0.0.1 ]; then echo "no [auth] in .streamlit/secrets.toml: local mode on 127.0.0.1"; fi; \
	RENEWAL_RADAR_DB=$(DB) exec $(PY) -m renewal_radar.ui.serve --server.port $(PORT) --server.address $$address

# Debian packages: Chromium for the pack's chart images and the looks checks, its headless shell for the
# real-browser tests (Playwright's and kaleido's own browser downloads do not work here), Pango for WeasyPrint's
# PDF, a CJK font so Korean, Japanese and Chinese names render, and Java 17 for the local Spark of `rollup-usage`'s
# tests.
SYSTEM_PACKAGES := chromium chromium-headless-shell fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 \
  openjdk-17-jre-headless
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing $$missing"; \
	  $(SUDO) mkdir -p /usr/share/man/man1; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

lint: $(STAMP)
	$(PY) -m ruff check .

test: $(STAMP) translations system-deps lint
	$(PY) -m pytest

bench: $(STAMP)
	$(PY) -m renewal_radar bench

lock:
	PYTHON=$(PYTHON) tools/lock.sh

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/screenshots
