# Two commands do all the set-up: `make run` and `make test`. Both create the virtual
# environment in .venv on first use (and again when pyproject.toml or constraints.txt change).
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: run test lint eval eval-countries fit reliability bench clean

# The labelled questions the ranker and abstention are fitted on (index/ranker.json); the held-out
# files (questions-test.yaml, questions-news-test.yaml) are never fitted on.
FIT_FILES := tests/eval/questions-dev.yaml tests/eval/questions-news-fit.yaml \
	tests/eval/questions-realnews.yaml tests/eval/questions-realnews-extra.yaml
HELD_OUT := tests/eval/questions-test.yaml tests/eval/questions-news-test.yaml

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# PyTorch's CPU build first and pinned: otherwise pip pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

## The main job: update the index, then the Discord bot (DISCORD_TOKEN set) or the console chat.
run: $(STAMP)
	@$(BIN)/pactbot

## The whole test suite, with the linters.
test: lint
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Answer quality (see README "Quality"): the fitted files cross-validated by article, then the held-out files.
eval: $(STAMP)
	$(BIN)/pactbot eval --cross-validate $(FIT_FILES)
	$(BIN)/pactbot eval $(HELD_OUT)

## Country lookups (README "Country lookups"): the files the agreement reader was developed on,
## then the held-out ones it never was.
COUNTRY_DEV := tests/eval/countries-seed.yaml tests/eval/questions-realnews.yaml \
	tests/eval/questions-news-fit.yaml tests/eval/countries-agreements-dev.yaml \
	tests/eval/countries-agreements-dev2.yaml
COUNTRY_HELD_OUT := tests/eval/questions-news-test.yaml tests/eval/countries-agreements-test.yaml \
	tests/eval/countries-agreements-test2.yaml
eval-countries: $(STAMP)
	$(BIN)/pactbot eval-countries $(COUNTRY_DEV)
	$(BIN)/pactbot eval-countries $(COUNTRY_HELD_OUT)

## Refit the ranker and abstention on the labelled questions; writes index/ranker.json.
fit: $(STAMP)
	$(BIN)/pactbot fit $(FIT_FILES)

## The reliability suite at full counts (100 kills, 10,000 questions, ...); figures in reliability.json.
reliability: $(STAMP)
	rm -f reliability.json
	PACTBOT_FULL_RELIABILITY=1 PACTBOT_FIGURES=reliability.json $(BIN)/pytest -q \
		tests/index/test_faults.py tests/index/test_build.py tests/index/test_articles_properties.py \
		tests/index/test_memory.py tests/bot/test_load.py tests/bot/test_moderation.py tests/bot/test_discord_e2e.py \
		tests/bot/test_discord_faults.py
	cat reliability.json

## Benchmarks at 1k, 10k and 100k passages against the bare model and txtai (about 45 minutes);
## writes bench/results.md, bench/results.json and bench/latency.png.
bench: $(STAMP)
	$(BIN)/python -m bench.run all

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
