# Two commands do everything: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FRONTEND := server/frontend
VENDOR := server/static/vendor/yasgui
YASGUI_BUILD := $(FRONTEND)/node_modules/@triply/yasgui/build
EDITOR_STAMP := $(VENDOR)/.installed

.PHONY: run test test-virtuoso build install editor axe clients bench bench-pages docs lint clean

run: build
	$(BIN)/policykg serve

# The whole suite on the embedded store (with the remote-store tests on Oxigraph server and,
# where installed, Virtuoso); then the tests that depend on the store again, on Oxigraph
# server and on Virtuoso (started by the tests; skipped, saying why, where Virtuoso is not
# installed). docs/testing.md says more.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)
	$(BIN)/python -m pytest --store=oxigraph $(PYTEST_ARGS)
	$(BIN)/python -m pytest --store=virtuoso $(PYTEST_ARGS)

# The tests that depend on the store, on Virtuoso alone.
test-virtuoso: install
	$(BIN)/python -m pytest --store=virtuoso $(PYTEST_ARGS)

build: install
	$(BIN)/policykg build

install: $(STAMP) editor axe clients

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
	  || { echo "policykg needs Python 3.11 or newer (PYTHON=$(PYTHON))"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) \
	  || { echo "cannot create a virtual environment: on Debian, apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

# The query editor's browser code, from npm (locked), served from our own host.
# Without npm the service still runs and /editor says how to install it.
editor:
	@if [ -f $(EDITOR_STAMP) ] && [ $(EDITOR_STAMP) -nt $(FRONTEND)/package-lock.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(FRONTEND) --no-audit --no-fund --ignore-scripts --loglevel=error \
	  && mkdir -p $(VENDOR) \
	  && cp $(YASGUI_BUILD)/yasgui.min.js $(YASGUI_BUILD)/yasgui.min.css $(YASGUI_BUILD)/yasgui.min.js.LICENSE.txt $(VENDOR)/ \
	  && touch $(EDITOR_STAMP); \
	else echo "npm not found: the query editor (YASGUI) is not installed; /editor says how to install it"; fi

# axe-core for the accessibility tests (injected into Debian's Chromium; never served).
# Without npm or Chromium those tests are skipped with the reason.
AXE := tests/axe
axe:
	@if [ -f $(AXE)/node_modules/axe-core/axe.min.js ] && [ $(AXE)/node_modules/axe-core/axe.min.js -nt $(AXE)/package-lock.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(AXE) --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else echo "npm not found: axe-core is not installed; the accessibility tests will be skipped"; fi

# Comunica's SPARQL command line, a real client for the live tests. Without npm those tests are skipped.
COMUNICA := tests/comunica
clients:
	@if [ -f $(COMUNICA)/node_modules/.bin/comunica-sparql ] && [ $(COMUNICA)/node_modules/.bin/comunica-sparql -nt $(COMUNICA)/package-lock.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix $(COMUNICA) --no-audit --no-fund --ignore-scripts --loglevel=error; \
	else echo "npm not found: Comunica is not installed; its client tests will be skipped"; fi

# The Berlin SPARQL Benchmark (explore) against `oxigraph serve` on the same data (docs/performance.md).
bench: install
	$(BIN)/python -m bench.bsbm

# Latency of the API and of the linked-data pages under 8 clients.
bench-pages: build
	$(BIN)/python -m bench.pages --store var/store

# The reference documents made from the code (docs/configuration.md, docs/registry-columns.*.md);
# tests/unit/test_docs.py fails when they are out of date.
docs: install
	$(BIN)/python -m policykg.reference_docs docs

clean:
	rm -rf $(VENV) var *.egg-info $(FRONTEND)/node_modules $(VENDOR) $(AXE)/node_modules $(COMUNICA)/node_modules
