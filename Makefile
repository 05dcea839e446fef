# Jiceng (基层). Quick start: `make demo` serves the demo county, `make test` runs the tests.
SHELL := /bin/bash
PORT ?= 8000
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(CURDIR)/.tools/bin/uv)
VENV := $(CURDIR)/.venv
PY := $(VENV)/bin/python
export UV_PYTHON_PREFERENCE := only-system
# The interpreter itself, not a shim or alias in front of it: uv recreates .venv when the path
# it is given differs from the one the environment was made with.
export UV_PYTHON := $(shell $(PYTHON) -c "import sys; print(sys.executable)")

.PHONY: setup demo serve test test-slow test-browser test-all bench lint fmt messages clean

## setup: install uv if missing, the virtual environment (.venv), front-end assets and catalogues
setup: $(UV)
	$(UV) sync --frozen --inexact
	$(PY) -m jiceng.web.assets install
	$(PY) -m jiceng.core.catalogues compile

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/pip install --quiet "uv==$(UV_VERSION)"

## demo: set up, migrate, seed the demo county the first time, serve it on http://127.0.0.1:$(PORT)
demo: setup
	$(PY) -m jiceng demo --port $(PORT)

## test: the whole suite on SQLite (browser tests excluded: `make test-browser`; the full
## demo-scale seed too: `make test-slow`). Tests that share servers or a seeded county run on
## one worker (xdist groups).
test: setup
	$(PY) -m pytest -m "not browser and not slow" -n 2 --dist loadgroup $(PYTEST_ARGS)

## test-slow: the tests that take minutes (the full demo-scale seed and what it builds)
test-slow: setup
	$(PY) -m pytest -m "slow" $(PYTEST_ARGS)

## test-browser: Playwright in headless Chromium against a live server (one per worker)
test-browser: setup
	$(PY) -m pytest -m browser -n 2 --dist loadgroup $(PYTEST_ARGS)

## bench: the benchmarks, side by side with their peers
bench: setup
	$(UV) sync --frozen --inexact --group bench
	$(PY) -m bench $(BENCH_ARGS)

## lint: ruff, the import contracts of the layers (.importlinter) and mypy
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/mypy jiceng

fmt: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

## messages: extract translatable strings into the zh-Hans and en catalogues
messages: setup
	$(PY) -m jiceng manage makemessages -l zh_Hans -l en --no-obsolete \
		--ignore ".venv/*" --ignore ".tools/*" --ignore "node_modules/*" --ignore "var/*" \
		--ignore "tests/*" --ignore "bench/*" --ignore "jiceng/web/static/vendor/*"
	$(PY) -m jiceng manage makemessages -d djangojs -l zh_Hans -l en --no-obsolete \
		--ignore ".venv/*" --ignore ".tools/*" --ignore "node_modules/*" --ignore "var/*" \
		--ignore "jiceng/web/static/vendor/*"
	$(PY) -m jiceng.core.catalogues compile

clean:
	rm -rf $(VENV) .tools node_modules jiceng/web/static/vendor
