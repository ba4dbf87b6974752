# The two commands of the README. Both create .venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test typecheck install schemas clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel

# Re-install when the project metadata changes.
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# The batch exits 1 for violations and 2 for unusable inputs (samples/invalid holds some on
# purpose): both are results to look at, not a failed run. 3 (a bug) or worse stops make.
run: $(STAMP)
	@$(BIN)/ducha batch samples --out build/run; rc=$$?; \
	if [ $$rc -gt 2 ]; then echo "ducha batch failed (exit $$rc)" >&2; exit $$rc; fi
	$(BIN)/ducha scorecard build/run/results.json

test: $(STAMP)
	$(BIN)/python -m pytest

typecheck: $(STAMP)
	$(BIN)/mypy

schemas: $(STAMP)
	$(BIN)/ducha schema --write schemas
	$(BIN)/python -m checker.schema  # also docs/data-dictionary.md

clean:
	rm -rf $(VENV) build
