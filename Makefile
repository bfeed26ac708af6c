# flipstack: `make demo` and `make test` are all a new user needs (see README).
# The virtualenv is created on first use with a Python >= 3.12 found on this machine.

VENV ?= .venv
BIN := $(VENV)/bin
# Editable install with the developer tools by default; the Dockerfile uses EDITABLE= EXTRAS=.
EDITABLE ?= -e
EXTRAS ?= [dev]
PYTEST_FLAGS ?=
MPI_RANKS ?= 2
# The serial tests run on 2 pytest-xdist workers, one test file per worker (module fixtures stay
# shared): measured 8 min 45 s against 17 min 36 s in one process on a 2-core machine.
TEST_WORKERS ?= 2

.PHONY: demo test test-fast lint install format clean

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || "$$(sh .ci/find-python)" -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet $(EDITABLE) ".$(EXTRAS)"
	@touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/mpiexec -n $(MPI_RANKS) $(BIN)/flipstack run --out results/demo --overwrite

lint: install
	$(BIN)/ruff check fem_package geometries solvers postprocess tests bench
	$(BIN)/ruff format --check fem_package geometries solvers postprocess tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest -m "not mpi" -n $(TEST_WORKERS) --dist loadfile --cov --cov-report=term $(PYTEST_FLAGS)
	$(BIN)/mpiexec -n $(MPI_RANKS) $(BIN)/python -m pytest -m mpi -q -p no:cacheprovider $(PYTEST_FLAGS)

test-fast: install
	$(BIN)/python -m pytest -m "not slow and not mpi" -n $(TEST_WORKERS) --dist loadfile $(PYTEST_FLAGS)

format: install
	$(BIN)/ruff format fem_package geometries solvers postprocess tests bench
	$(BIN)/ruff check --fix fem_package geometries solvers postprocess tests bench

clean:
	rm -rf $(VENV) results .pytest_cache .mypy_cache .ruff_cache .coverage
