# koppel — set-up and everyday commands. Needs only python3 (3.11+) and make.
SHELL := /bin/bash
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
KOPPEL := $(VENV)/bin/koppel
DEMO   := out/demo
# The exact versions CI tested (pip constraints); `make lock` refreshes them, `make test-latest` tries the newest.
LOCK   := constraints.txt
# koppel itself is built offline with the locked setuptools, so an install is the same today and next month.
PIPC   := $(PIP) install --quiet --constraint $(LOCK)

.PHONY: install install-dev browser-deps demo test test-installed test-latest lock wheel lint bench clean

$(VENV)/.installed: pyproject.toml $(LOCK)
	$(PYTHON) -m venv $(VENV)
	$(PIPC) --upgrade pip setuptools
	$(PIPC) --no-build-isolation -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml $(LOCK)
	$(PIPC) --no-build-isolation -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

demo: install
	@bash samples/demo.sh $(KOPPEL) $(DEMO)

# The HTML report test drives a real headless browser: install Debian's chromium when it is missing.
browser-deps:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

# ruff; the wheel: built, installed in a fresh venv, smoke-tested from an empty folder; then the whole suite
# (last, so the run ends with its summary line).
test: install-dev browser-deps
	$(VENV)/bin/ruff check .
	bash tests_installed/run.sh $(PY) $(LOCK)
	$(PY) -m pytest

# Only the installed-wheel smoke suite (tests_installed/).
test-installed: install-dev
	bash tests_installed/run.sh $(PY) $(LOCK)

# The same checks against the newest releases of every dependency (no constraints), in .venv-latest.
test-latest: browser-deps
	rm -rf .venv-latest
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install --quiet --upgrade pip setuptools
	.venv-latest/bin/python -m pip install --quiet --upgrade --upgrade-strategy eager --no-build-isolation -e '.[dev]'
	@echo "newest releases that differ from $(LOCK):"
	@.venv-latest/bin/python -m pip freeze --all --exclude-editable | LC_ALL=C sort | LC_ALL=C comm -13 <(grep -v '^#' $(LOCK) | LC_ALL=C sort) -
	.venv-latest/bin/ruff check .
	bash tests_installed/run.sh .venv-latest/bin/python ""
	.venv-latest/bin/python -m pytest

# Refresh the pins: the newest releases allowed by pyproject.toml, resolved in a fresh venv, written to $(LOCK).
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/python -m pip install --quiet --upgrade pip setuptools
	.venv-lock/bin/python -m pip install --quiet '.[dev]'
	{ echo "# Exact versions of koppel's runtime and dev dependencies that CI tested (pip constraints)."; \
	  echo "# Made by 'make lock' on Python $$(.venv-lock/bin/python -c 'import platform; print(platform.python_version())'); do not edit by hand."; \
	  .venv-lock/bin/python -m pip freeze --all --exclude koppel; } > $(LOCK).new
	mv $(LOCK).new $(LOCK)
	rm -rf .venv-lock build

# dist/koppel-VERSION-py3-none-any.whl, for `pip install` / `pipx install` on another machine.
wheel: install-dev
	rm -rf build dist/koppel-*.whl
	$(PIP) wheel --quiet --no-deps --no-build-isolation -w dist .
	rm -rf build
	@ls dist/koppel-*.whl

lint: install-dev
	$(VENV)/bin/ruff check .

bench: install-dev
	$(PIP) install --quiet -e '.[bench]'
	$(PY) bench/bench_read.py

clean:
	rm -rf $(VENV) .venv-latest .venv-lock out dist build .pytest_cache
