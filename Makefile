# Lotse — set-up, training, running and testing. `make run` and `make test` are all a newcomer needs.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
RASA    := $(VENV)/bin/rasa
MODEL   := models/lotse.tar.gz
BUILD   := .build
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
export PYTHONPATH := $(CURDIR)
export PYTHONDONTWRITEBYTECODE := 1

TRAIN_INPUTS := config.yml domain.yml $(shell find data content/answers -name "*.yml" 2>/dev/null) content/labels.yml content/responses.yml content/terms.yml \
                lotse/rasa_server/components.py lotse/rasa_server/embeddings.py lotse/knowledge/places.py lotse/knowledge/child_age.py lotse/language/textnorm.py lotse/knowledge/content.py lotse/knowledge/terms.py lotse/language/languages.py

.PHONY: help run test lint unit integration e2e validate eval bench soak fuzz scale content-report answer check-content \
        validate-offices build-content train compare-pipelines lock clean

help:
	@echo "make run             install, train if needed, start Lotse (chat page on http://localhost:8080)"
	@echo "make test            the whole test suite"
	@echo "make lint            ruff and the import contracts (docs/architecture.md)"
	@echo "make eval            held-out NLU evaluation (per-intent F1, confusions) -> docs/nlu-eval.md"
	@echo "make eval-dialogues   held-out conversations on the real stack (ONLY=de KIND=followup) -> docs/dialogue-eval.md"
	@echo "make bench           latency, throughput, memory, training time -> docs/benchmarks.md"
	@echo "make fuzz            hostile requests on every public endpoint, 10,000 per endpoint (docs/reliability-fuzz.md)"
	@echo "make soak            make fuzz, the fault tests with 10 Redis kills, then 50 simulated users for 5 minutes: failures, p95, bookings = rows = deliveries -> docs/soak.md"
	@echo "make scale           2 Rasa instances on PostgreSQL + Redis: 1000 conversations, bursts, a killed instance (docs/deploy.md)"
	@echo "make content-report  answers due for review, unverified facts in use, dated facts changing in 60 days"
	@echo "make answer INTENT=ask_hinzuverdienst DATE=2027-01-02 LANG=de  an answer as the bot gives it on that day"
	@echo "make validate-offices  check content/offices.yml"

$(VENV)/.installed: requirements.lock
	@base=$$(PYTHON="$(PYTHON)" scripts/find-python.sh) || exit 1; \
	  echo "Creating $(VENV) with $$base"; \
	  [ -x $(PY) ] || $$base -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check "pip==24.0"
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	@touch $@

venv: $(VENV)/.installed

check-content: $(VENV)/.installed
	$(PY) -m lotse.runner.cli check-content

validate-offices: $(VENV)/.installed
	$(PY) -m lotse.runner.cli validate-offices

content-report: $(VENV)/.installed
	$(PY) -m lotse.runner.cli content-report

# LANG is also the locale variable of the shell: anything but de, en or uk means German.
answer: $(VENV)/.installed
	$(PY) -m lotse.runner.cli answer --intent "$(INTENT)" --date "$(DATE)" --lang "$(or $(filter de en uk,$(LANG)),de)"

build-content: $(VENV)/.installed
	$(PY) -m lotse.runner.cli build-content --out $(BUILD)

# The public URL is rendered into the privacy notice: a change must re-render and retrain.
$(BUILD)/public-url: FORCE
	@mkdir -p $(BUILD); url="$${LOTSE_PUBLIC_URL:-http://localhost:8080}"; \
	  echo "$$url" | cmp -s - $@ || echo "$$url" > $@

FORCE:

$(MODEL): $(VENV)/.installed $(TRAIN_INPUTS) $(BUILD)/public-url
	$(PY) -m lotse.runner.cli build-content --out $(BUILD)
	@echo "Training the model (log: $(BUILD)/train.log) …"
	@$(RASA) train --config config.yml --domain $(BUILD)/domain --data data $(BUILD)/data \
	  --out models --fixed-model-name lotse > $(BUILD)/train.log 2>&1 \
	  || { tail -n 40 $(BUILD)/train.log; exit 1; }
	@touch $@

train: $(MODEL)

run: $(MODEL)
	$(PY) -m lotse.runner.stack --model $(MODEL)

validate: $(VENV)/.installed build-content
	@$(RASA) data validate --domain $(BUILD)/domain --data data $(BUILD)/data --config config.yml \
	  --fail-on-warnings > $(BUILD)/validate.log 2>&1 || { grep -v "it/s" $(BUILD)/validate.log | tail -n 40; exit 1; }
	@$(PY) scripts/rasa_warnings.py $(BUILD)/validate.log

# The linter and the architecture's import contracts (pyproject.toml, docs/architecture.md).
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check --quiet .
	@mkdir -p $(BUILD); $(VENV)/bin/lint-imports --no-cache > $(BUILD)/lint-imports.log 2>&1 \
	  && echo "import contracts: kept" || { sed -n '/Broken contracts/,$$p' $(BUILD)/lint-imports.log; exit 1; }

unit: $(VENV)/.installed
	$(PY) -m pytest -q tests/unit

integration: $(MODEL)
	$(PY) -m pytest -q tests/integration

e2e: $(MODEL)
	@echo "Conversation tests (rasa test core --fail-on-prediction-errors, log: $(BUILD)/e2e.log) …"
	@$(RASA) test core --model $(MODEL) --stories tests/e2e --fail-on-prediction-errors \
	  --out $(BUILD)/results-e2e > $(BUILD)/e2e.log 2>&1 \
	  && echo "conversation tests: all stories passed" \
	  || { grep -v "it/s" $(BUILD)/e2e.log | tail -n 60; cat $(BUILD)/results-e2e/failed_test_stories.yml 2>/dev/null | head -80; exit 1; }

test: $(MODEL)
	$(MAKE) --no-print-directory lint
	$(PY) -m lotse.runner.cli check-content
	$(PY) -m lotse.runner.cli validate-offices
	$(MAKE) --no-print-directory validate
	$(PY) -m pytest -q -rs tests
	$(MAKE) --no-print-directory e2e

eval: $(MODEL)
	$(PY) scripts/eval_nlu.py --model $(MODEL) --test tests/nlu --write docs/nlu-eval.md
	$(PY) scripts/measure_first_message.py --model $(MODEL) --write docs/widget.md
	$(MAKE) --no-print-directory eval-dialogues

# Held-out conversations on the real stack (tests/dialogues, issue #19); ONLY=de or KIND=followup for a subset.
.PHONY: eval-dialogues
eval-dialogues: $(MODEL)
	nice -n 10 $(PY) scripts/eval_dialogues.py --model $(MODEL) $(if $(ONLY),--only $(ONLY)) $(if $(KIND),--kind $(KIND)) \
	  $(if $(ONLY)$(KIND),,--write docs/dialogue-eval.md)

bench: $(MODEL)
	$(PY) scripts/bench.py --write docs/benchmarks.md

# Property-based fuzzing of every public endpoint on a running stack (tests/fuzz). `make test` runs
# the same tests with 150 cases per endpoint; `make fuzz FUZZ_CASES=500` changes the count here.
# The slow socket.io cases are split over FUZZ_SHARDS stacks run side by side; FUZZ_SEED=N repeats a run.
FUZZ_CASES ?= 10000
FUZZ_SHARDS ?= 4
fuzz: $(MODEL)
	$(PY) scripts/fuzz.py --cases $(FUZZ_CASES) --shards $(FUZZ_SHARDS) $(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

# The fault tests on the real stack: `make test` runs one round of Redis being killed and restarted,
# `make soak` FAULT_ROUNDS of them (docs/reliability.md).
FAULT_ROUNDS ?= 10
soak: $(MODEL) fuzz
	LOTSE_FAULT_ROUNDS=$(FAULT_ROUNDS) $(PY) -m pytest -q -rs -s tests/integration/test_faults.py tests/integration/test_redis_down.py
	$(PY) scripts/soak.py --users 50 --seconds 300 --write docs/soak.md

# Needs PostgreSQL and Redis on 127.0.0.1 (docs/deploy.md); writes $(BUILD)/scale.json.
scale: $(MODEL)
	$(PY) scripts/scale_out.py --conversations 1000 --bursts 100 --kill --throughput --json $(BUILD)/scale.json

compare-pipelines: $(VENV)/.installed build-content
	$(PY) scripts/compare_pipelines.py --write docs/nlu-pipeline.md

lock:
	@base=$$(PYTHON="$(PYTHON)" scripts/find-python.sh) || exit 1; \
	  rm -rf $(BUILD)/lockenv && $$base -m venv $(BUILD)/lockenv && \
	  $(BUILD)/lockenv/bin/pip install --quiet "pip==24.0" && \
	  $(BUILD)/lockenv/bin/pip install --quiet -r requirements.in && \
	  { echo "# Generated from requirements.in with: pip install -r requirements.in && pip freeze  (Python 3.10)"; \
	    echo "# Regenerate with: make lock"; $(BUILD)/lockenv/bin/pip freeze; } > requirements.lock

clean:
	rm -rf $(BUILD) models .pytest_cache
