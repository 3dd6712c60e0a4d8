# The two commands a new user needs: `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
TSTAMP := $(VENV)/.installed-test

.PHONY: run test lint typecheck bench clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# After installing, compile the simulator's kernels into Numba's on-disk cache,
# so the first `packlaw simulate` starts at once.
$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	$(PY) -m packlaw.sim.warm
	touch $@

$(TSTAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	$(PY) -m packlaw.sim.warm
	touch $@ $(STAMP)

run: $(STAMP)
	$(VENV)/bin/packlaw simulate

test: $(TSTAMP) lint typecheck
	$(VENV)/bin/pytest

lint: $(TSTAMP)
	$(VENV)/bin/ruff check packlaw tests benchmarks
	$(VENV)/bin/ruff format --check packlaw tests benchmarks

typecheck: $(TSTAMP)
	$(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) benchmarks/run_all.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache packlaw.db
