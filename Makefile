# The one task runner. `make serve` and `make test` work on a fresh clone with Python 3.11+.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: serve test test-fast eval lint format check-e2e clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed; set PYTHON=python3.11 or newer")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

serve: $(STAMP)  ## Run the app on http://127.0.0.1:8000
	$(BIN)/interview serve

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint  ## Lint and run the whole test suite
	$(BIN)/pytest

# `make eval` measures the configured judge (JUDGE_MODEL) on the labelled and fresh sets.
# `make eval --dry-run` (or `make eval DRY_RUN=1`) runs the LLM judge's whole path with the
# scripted fake model instead: no network, and the cost a real run would have. The `+` runs
# the command even under make's own --dry-run, which is what that flag asks for here.
DRY := $(if $(or $(DRY_RUN),$(findstring n,$(firstword -$(MAKEFLAGS)))),--dry-run,)
eval: $(STAMP)
	+$(BIN)/python -m bench.judge_agreement $(DRY) $(EVAL_ARGS)

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check-e2e: $(STAMP)  ## Start a real server and walk one interview through HTTP + SSE
	$(BIN)/python scripts/e2e_check.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
