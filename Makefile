# Two entry points a fresh machine needs: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 120

.PHONY: run test venv lint bench clean

$(BIN)/cleanwire: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

venv: $(BIN)/cleanwire

run: venv
	$(BIN)/cleanwire run --demo

test: venv
	.ci/ensure-redis-server
	.ci/ensure-chromium
	$(BIN)/ruff check .
	$(BIN)/pytest -q

lint: venv
	$(BIN)/ruff check .

# make bench DATA=DIR: real pages in the shared/realpages layout (the real-pages benchmark, and real
# bodies for the dedup set); without it those parts say so and skip.
bench: venv
	$(BIN)/python -m benchmarks.run $(if $(DATA),--data $(DATA))

clean:
	rm -rf $(VENV) var
