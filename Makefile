# Yimatong: `make demo` runs the whole system on its defaults, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
ROLE ?= supermarket
PORT ?= 8080

# Debian packages the tests and the demo need (checked by tools/sysdeps.sh).
SYSDEPS := xvfb xauth libzbar0 libgl1 libegl1 libmtdev1 chromium postgresql espeak-ng sox poppler-utils

.PHONY: demo test lint sysdeps venv clean

$(VENV)/.installed: setup.cfg pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

venv: $(VENV)/.installed

sysdeps:
	@sh tools/sysdeps.sh $(SYSDEPS)

test: sysdeps venv
	$(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .

demo: sysdeps venv
	$(PY) -m tools.demo --role $(ROLE) --port $(PORT)

clean:
	rm -rf var tests/_output bench/_output
