# koppel — set-up and everyday commands. Needs only python3 (3.11+) and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
KOPPEL := $(VENV)/bin/koppel
DEMO   := out/demo

.PHONY: install install-dev browser-deps demo test lint bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed pyproject.toml
	$(PIP) install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

demo: install
	@bash samples/demo.sh $(KOPPEL) $(DEMO)

# The HTML report test drives a real headless browser: install Debian's chromium when it is missing.
browser-deps:
	command -v chromium >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium)

test: install-dev browser-deps
	$(VENV)/bin/ruff check .
	$(PY) -m pytest

lint: install-dev
	$(VENV)/bin/ruff check .

bench: install-dev
	$(PIP) install --quiet -e '.[bench]'
	$(PY) bench/bench_read.py

clean:
	rm -rf $(VENV) out .pytest_cache
