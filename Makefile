# The two set-up commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test serve bench clean bytecode

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,search]'
	# German noun forms for glossary matching (Wiktionary data, CC BY-SA 4.0). Without its
	# dependencies: they only rebuild the data file and pin lxml below what the tests need.
	$(BIN)/python -m pip install --quiet --no-deps 'german-nouns==1.2.5'
	touch $(STAMP)

# An editable install leaves the package's bytecode to its first run, which an environment with
# PYTHONDONTWRITEBYTECODE never writes: every command (and every build a test starts) would compile
# the builder's modules anew, about 0.1 s each time. compileall writes what is missing or stale.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q builder >/dev/null

demo: $(STAMP) bytecode  ## build the German demo site into site/
	$(BIN)/python -m builder build --source . --destination site

test: $(STAMP) bytecode  ## run the whole test suite
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -q

serve: $(STAMP) bytecode  ## preview the demo site with live reload
	$(BIN)/python -m builder serve --source .

bench: $(STAMP) bytecode  ## run the benchmarks (minutes; prints tables)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf site .builder-cache
