# Two entry points a new user needs: `make demo` and `make test`.
# Both create a virtual environment in .venv and install marathon into it.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test install browser clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	$(BIN)/marathon demo

# The browser tests drive Debian's Chromium (never a downloaded browser) with Noto fonts for
# Armenian and Devanagari. Installing them needs root, as on CI; elsewhere run this step with sudo.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium and fonts-noto-core for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-core; }

# axe-core, from the npm registry, is injected into pages by the accessibility tests.
node_modules/axe-core/axe.min.js: package.json
	npm install --no-audit --no-fund --silent
	touch $@

test: install browser node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) output .output-builds .marathon node_modules test-artifacts
