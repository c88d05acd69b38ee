# Two entry points a new user needs: `make demo` and `make test`.
# Both create a virtual environment in .venv and install marathon into it.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: demo test install clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: install
	$(BIN)/marathon demo

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) output .marathon
