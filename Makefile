# Two commands do all the set-up: `make run` and `make test`. Both create the virtual
# environment in .venv on first use (and again when pyproject.toml or constraints.txt change).
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTHON ?= python3

.PHONY: run test test-fast lint eval eval-models eval-countries eval-pair-classifier eval-dates train fit reliability bench clean

# The labelled training questions (tests/eval/train/): the encoder and the reranker are trained
# on them (`make train`), the ranker and abstention fitted on them (index/answering/ranker.json).
TRAIN_FILES := $(sort $(wildcard tests/eval/train/*.yaml))
FIT_FILES := $(TRAIN_FILES)
# Never trained or fitted on: the held-out real texts, the real-news development set, the seed's
# unseen questions, and the news-style fixtures about the events the blind sets use.
HELD_OUT := tests/eval/heldout/heldout-1.yaml tests/eval/heldout/heldout-2.yaml \
	tests/eval/questions-realnews.yaml tests/eval/questions-realnews-extra.yaml tests/eval/questions-test.yaml
BLIND_EVENTS := tests/eval/questions-dev.yaml tests/eval/questions-news-fit.yaml tests/eval/questions-news-test.yaml

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# PyTorch's CPU build first and pinned: otherwise pip pulls a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev,train]'
	@touch $(STAMP)

## The main job: update the index, then the Discord bot (DISCORD_TOKEN set) or the console chat.
run: $(STAMP)
	@$(BIN)/pactbot

## The whole test suite, with the linters: one pytest worker per core (each with one thread for
## PyTorch and BLAS, so that the workers do not fight over the cores), the ten slowest tests
## reported; then, alone on the machine, the tests that bound wall-clock time under load.
test: lint
	OMP_NUM_THREADS=1 $(BIN)/pytest -n auto --dist worksteal --durations=10 -m "not timing"
	$(BIN)/pytest -q -m timing

## The inner loop: every test but those of the real model, the fake Discord and the local web
## server (tests/conftest.py marks them), in under a minute. CI runs them all (`make test`).
test-fast: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/pytest -q -n auto --dist worksteal -m "not model and not discord and not network"

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

## Answer quality with the shipped models (docs/models.md): the files never trained on.
eval: $(STAMP)
	$(BIN)/pactbot eval $(HELD_OUT) $(BLIND_EVENTS)

## The training recipe against the stock MiniLM on the held-out files (docs/models.md): trained
## on a quarter and half of the training questions, then the shipped models (trained on all of
## them by the same recipe), each with the ranker refitted on the training files (about 22 minutes).
eval-models: $(STAMP)
	for f in 0.25 0.5; do $(BIN)/pactbot train --fraction $$f $(foreach h,$(HELD_OUT),--held-out $(h)) $(TRAIN_FILES); done
	$(BIN)/pactbot train --models index/models $(foreach h,$(HELD_OUT),--held-out $(h)) $(TRAIN_FILES)

## Train the encoder and the reranker (index/models/*.safetensors, about 15 minutes on 2 cores),
## then fit the ranker on top (`make fit`).
train: $(STAMP)
	$(BIN)/pactbot train $(TRAIN_FILES)
	$(MAKE) fit

## Country lookups (docs/quality.md): the files the agreement reader was developed on,
## then the held-out ones it never was.
COUNTRY_DEV := tests/eval/countries-seed.yaml tests/eval/questions-realnews.yaml \
	tests/eval/questions-news-fit.yaml tests/eval/countries-agreements-dev.yaml \
	tests/eval/countries-agreements-dev2.yaml tests/eval/countries-opennews-dev.yaml \
	tests/eval/countries-opennews-dev2.yaml
COUNTRY_HELD_OUT := tests/eval/questions-news-test.yaml tests/eval/countries-agreements-test.yaml \
	tests/eval/countries-agreements-test2.yaml tests/eval/countries-opennews-heldout.yaml
eval-countries: $(STAMP)
	$(BIN)/pactbot eval-countries $(COUNTRY_DEV)
	$(BIN)/pactbot eval-countries $(COUNTRY_HELD_OUT)

## The pair classifier experiment (docs/quality.md): trained on the development files' country cases,
## cross-validated there with folds by article, then scored on the held-out ones; beside the rules.
eval-pair-classifier: $(STAMP)
	$(BIN)/pactbot eval-pair-classifier $(addprefix --train ,$(COUNTRY_DEV)) $(addprefix --test ,$(COUNTRY_HELD_OUT))

## Date resolution on the labelled mentions of real texts (docs/quality.md): the development part,
## then the test part.
eval-dates: $(STAMP)
	$(BIN)/pactbot eval-dates tests/eval/dates/dev.yaml
	$(BIN)/pactbot eval-dates tests/eval/dates/test.yaml

## Fit the ranker and abstention (index/answering/ranker.json) on the training questions as the trained
## models see questions new to them: each fold's candidates from models trained without its
## events (cross-validation by event, 3 folds; about 36 minutes on 2 cores). Prints the
## cross-validated figures of the stock model, the encoder, and the encoder with the reranker.
fit: $(STAMP)
	$(BIN)/pactbot train --cross-validate 3 --ranker-out index/answering/ranker.json $(FIT_FILES)

## The reliability suite at full counts (100 kills, 10,000 questions, ...); figures in reliability.json.
reliability: $(STAMP)
	rm -f reliability.json
	PACTBOT_FULL_RELIABILITY=1 PACTBOT_FIGURES=reliability.json $(BIN)/pytest -q \
		tests/index/storage/test_faults.py tests/index/storage/test_build.py tests/index/ingest/test_articles_properties.py \
		tests/index/storage/test_memory.py tests/bot/test_load.py tests/bot/test_moderation.py tests/bot/test_discord_e2e.py \
		tests/bot/test_discord_faults.py
	cat reliability.json

## Benchmarks at 1k, 10k and 100k passages against the bare model and txtai (30 to 45 minutes);
## writes bench/results.md, bench/results.json and bench/latency.png.
bench: $(STAMP)
	$(BIN)/python -m bench.run all

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
