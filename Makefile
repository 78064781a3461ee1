# The two commands of the quick start: `make serve` and `make test`.
# Each creates .venv with the Python it finds (3.11 or newer), installs what it needs
# (again only when pyproject.toml changed), then runs.
# `make browser` installs Debian's Chromium, which the web view tests drive (skipped without it).
# `make virtuoso` installs Debian's Virtuoso, which the backend tests start (skipped without it).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test install browser virtuoso clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "oncoclaims needs Python 3.11 or newer, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.stamp-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

install: $(VENV)/.stamp-test

serve: install
	$(BIN)/oncoclaims serve --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest

# Debian's Chromium for the browser tests (Playwright drives it; it downloads no browser of its own).
browser:
	@command -v chromium >/dev/null || ( \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium ) \
	  || echo "make browser: could not install Chromium; the web view's browser tests will be skipped" >&2

# Debian's Virtuoso for the backend tests (tests/stores start it on loopback ports with their own
# virtuoso.ini and a fresh database; skipped without it). The package starts no service.
virtuoso:
	@command -v virtuoso-t >/dev/null || ( \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends virtuoso-opensource-7-bin ) \
	  || echo "make virtuoso: could not install Virtuoso; the Virtuoso backend tests will be skipped" >&2

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
