# Two commands matter: `make run` serves the desk, `make test` runs the whole suite.
# Both bootstrap .venv from a bare Python >= 3.11 first.

# The probe's stderr is dropped: pyenv's shims exist for every installed version and complain
# about each one not selected, which is no news to anyone running `make run`.
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do \
	command -v $$p >/dev/null 2>&1 \
	&& $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' >/dev/null 2>&1 \
	&& { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# `make run PORT=8300 HOST=0.0.0.0`: taken from the command line only, so a shell's own $HOST
# (tcsh sets it to the machine's name) never moves the desk; serve's defaults otherwise.
SERVE_ARGS := $(if $(filter command line,$(origin HOST)),--host $(HOST)) \
	$(if $(filter command line,$(origin PORT)),--port $(PORT))

.PHONY: run test lint bench clean migrations

run: $(STAMP)
	$(BIN)/tipdesk serve $(strip $(SERVE_ARGS))

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/audit.py

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "make: Python 3.11 or newer is needed (none found on PATH)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools cautions every editable install of a flat layout that a folder named like a
	@# package could shadow it; here those folders are the packages.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache

migrations: $(STAMP)
	$(BIN)/tortoise -c tipdesk.db.MIGRATIONS_CONFIG makemigrations
