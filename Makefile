# Transition tracker. `make help` lists the targets.
# The two commands a newcomer needs: `make run` and `make test`.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
# The demo pins "today" in spring 2022 so the seeded dashboard tells a real story.
DEMO_TODAY ?= 2022-04-04
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
ASSETS := tracker/static/build
.PHONY: help install cairo java assets run db seed test lint format typecheck layers check browser libreoffice poppler serve-prod bench load-test screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"' \
		|| { echo "Install Python 3.11 (Debian: apt-get install python3)"; exit 1; }
	@$(PYTHON) -m venv $(VENV) 2>/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq python3-venv && $(PYTHON) -m venv $(VENV); \
		else echo "Install python3-venv (sudo apt-get install python3-venv) and run make again"; exit 1; fi; }

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

install: $(VENV)/.installed $(ASSETS)/.built cairo java ## Create .venv, install the pinned requirements, build assets

# Microsoft Project files are read and written by MPXJ (the mpxj package), which runs in a
# Java runtime: Debian's headless JRE.
java:
	@command -v java >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless; \
		else echo "Install Debian's default-jre-headless (sudo apt-get install default-jre-headless) for Microsoft Project import and export"; \
			if [ "$$CI" = "true" ]; then exit 1; fi; fi; }

# The Gantt chart's PNG download is drawn by CairoSVG, which loads Debian's libcairo2; the
# board pack's PDF by WeasyPrint, which loads pango (libpangoft2 brings libpango with it).
cairo:
	@ldconfig -p 2>/dev/null | grep -q libcairo.so.2 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libcairo2; \
		else echo "Install Debian's libcairo2 (sudo apt-get install libcairo2) for the Gantt chart's PNG download"; \
			if [ "$$CI" = "true" ]; then exit 1; fi; fi; }
	@ldconfig -p 2>/dev/null | grep -q libpangoft2-1.0.so.0 || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq libpangoft2-1.0-0; \
		else echo "Install Debian's libpangoft2-1.0-0 (sudo apt-get install libpangoft2-1.0-0) for the board pack's PDF"; \
			if [ "$$CI" = "true" ]; then exit 1; fi; fi; }

# NHS.UK frontend from npm, compiled with Sass (no web-font request to another host), its
# icons, and plotly.js from the installed plotly package: all served by the app itself.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nodejs npm; \
		else echo "Install Node.js and npm (sudo apt-get install nodejs npm) and run make again"; exit 1; fi; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(ASSETS)/.built: node_modules/.installed $(VENV)/.installed $(wildcard tracker/static/src/*.scss)
	@mkdir -p $(ASSETS)/images
	node_modules/.bin/sass --no-source-map --style=compressed --load-path=node_modules \
		tracker/static/src/tracker.scss $(ASSETS)/tracker.css
	cp node_modules/nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js $(ASSETS)/
	cp node_modules/nhsuk-frontend/dist/nhsuk/assets/images/* $(ASSETS)/images/
	cp "$$($(BIN)/python -c 'import plotly, os; print(os.path.join(os.path.dirname(plotly.__file__), "package_data", "plotly.min.js"))')" $(ASSETS)/
	@touch $@

assets: $(ASSETS)/.built ## Build the CSS and copy NHS.UK frontend and plotly.js into tracker/static/build

db: install ## Bring the database up to date (flask db upgrade)
	$(FLASK) db upgrade

seed: db ## Load the Kent and Medway programme if it is not there yet
	TRACKER_ENV=$${TRACKER_ENV:-development} $(FLASK) seed

run: install ## Migrate, seed and serve the demo on http://127.0.0.1:5000
	@export TRACKER_ENV=development TRACKER_TODAY=$${TRACKER_TODAY:-$(DEMO_TODAY)}; \
	$(FLASK) db upgrade && $(FLASK) seed && \
	echo "Serving on http://127.0.0.1:5000 (today is pinned to $$TRACKER_TODAY)" && \
	$(FLASK) run --host 127.0.0.1 --port 5000

lint: install ## ruff check and ruff format --check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install ## Format the code with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

typecheck: install ## mypy over the package
	$(BIN)/mypy

layers: install ## import-linter: the layers in pyproject.toml (docs/architecture.md)
	$(BIN)/lint-imports --no-cache

check: lint typecheck layers ## Lint, type-check and check the layers

# The browser tests drive Debian's Chromium through Playwright (no `playwright install`).
# Without it they skip, except in CI (CI=true), where a missing browser fails the run.
browser: ## Install Debian's chromium for the browser tests when it is missing (as root)
	@test -x /usr/bin/chromium || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
		else echo "Install Debian's chromium package (sudo apt-get install chromium) to run the browser tests"; \
			if [ "$$CI" = "true" ]; then exit 1; fi; fi; }

# The spreadsheet test opens the exported .xlsx in LibreOffice Calc (Debian's package,
# headless). Without it that test skips, except in CI (CI=true), where it fails the run.
libreoffice: ## Install Debian's libreoffice-calc for the spreadsheet test when it is missing (as root)
	@command -v soffice >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libreoffice-calc; \
		else echo "Install Debian's libreoffice-calc package (sudo apt-get install --no-install-recommends libreoffice-calc) to run the spreadsheet test"; \
			if [ "$$CI" = "true" ]; then exit 1; fi; fi; }

poppler: ## Install Debian's poppler-utils (pdftotext) for the board pack's PDF test when it is missing (as root)
	@command -v pdftotext >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends poppler-utils; \
		else echo "Install Debian's poppler-utils package (sudo apt-get install --no-install-recommends poppler-utils) to run the board pack's PDF test"; \
			if [ "$$CI" = "true" ]; then exit 1; fi; fi; }

serve-prod: install ## Run gunicorn (4 workers) against DATABASE_URL, as production does, on 127.0.0.1:8000
	@test -n "$$DATABASE_URL" || { echo "Set DATABASE_URL (postgresql://...) first"; exit 1; }
	@test -n "$$SECRET_KEY" || { echo "Set SECRET_KEY first (python3 -c 'import secrets; print(secrets.token_hex(32))')"; exit 1; }
	TRACKER_ENV=production $(FLASK) db upgrade
	TRACKER_ENV=production $(BIN)/gunicorn --workers $${WORKERS:-4} --bind 127.0.0.1:8000 \
		--access-logfile - wsgi:app

# Benchmarks and the load test print their figures (docs/benchmarks.md records them); they
# are not part of `make test`. PostgreSQL runs use BENCH_POSTGRES_URL or TEST_DATABASE_URL,
# else the local server, in a scratch database they drop afterwards.
bench: install ## Page latency through gunicorn for 500, 2,000 and 20,000 milestones, SQLite and PostgreSQL
	$(BIN)/python bench/http_pages.py

load-test: install ## 50 clients for 60 s, then 20 concurrent completions, on gunicorn + PostgreSQL (needs wrk)
	@command -v wrk >/dev/null || { \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk; \
		else echo "Install Debian's wrk package (sudo apt-get install wrk) for the load test"; exit 1; fi; }
	$(BIN)/python bench/load.py

screenshots: install browser ## Save screenshots of the dashboard and Gantt chart into docs/screenshots
	SCREENSHOT_DIR=docs/screenshots TEST_DB=sqlite $(BIN)/pytest -q -p no:xdist tests/browser \
		-k "test_dashboard or test_gantt_chart"

test: check browser libreoffice poppler ## Run the whole suite on SQLite, then on PostgreSQL when TEST_DATABASE_URL is set
	TEST_DB=sqlite $(BIN)/pytest -n auto -q
	@if [ -n "$$TEST_DATABASE_URL" ]; then \
		echo "== again on PostgreSQL"; \
		TEST_DB=postgresql $(BIN)/pytest -n auto -q; \
	elif [ "$$CI" = "true" ]; then \
		echo "CI must run the suite on PostgreSQL too: set TEST_DATABASE_URL"; exit 1; \
	else \
		echo "(PostgreSQL run skipped: set TEST_DATABASE_URL=$(PG_TEST_URL) to include it)"; \
	fi

clean: ## Remove the virtualenv and caches (keeps the instance database)
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
