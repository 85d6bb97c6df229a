# Sluice — the two commands: `make demo` and `make test`. Both install what is missing first.
SWIFT ?= swift
APT_PACKAGES := redis-server libhiredis-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PEERS_VENV := .build-peers/venv

.PHONY: deps apt-deps test-deps bench-deps build release test chaos-quick lint demo bench bench-compare chaos fuzz deploy-check clean

TOOLS := .venv-tools
# deno (TypeScript scripts), uv (Python dependencies) and ruff (make lint) ship as real binaries on PyPI.
TOOL_PACKAGES := deno==2.9.8 uv==0.13.9 ruff==0.17.6

## deps: install redis-server, libhiredis-dev, bubblewrap (the job sandbox) and python3-venv with apt-get when they are
## missing, then deno and uv from PyPI into the project-local virtualenv .venv-tools (git-ignored).
deps: apt-deps
	@if [ ! -x $(TOOLS)/bin/deno ] || [ ! -x $(TOOLS)/bin/uv ] || [ ! -x $(TOOLS)/bin/ruff ]; then \
	  echo "installing $(TOOL_PACKAGES) into $(TOOLS)"; \
	  /usr/bin/python3 -m venv $(TOOLS) && $(TOOLS)/bin/pip install -q $(TOOL_PACKAGES); \
	fi

apt-deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	[ -f /usr/include/hiredis/hiredis.h ] || missing="$$missing libhiredis-dev"; \
	[ -x /usr/bin/python3 ] || missing="$$missing python3"; \
	/usr/bin/python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

TEST_WHEELS := .test-wheels
# Small real packages from PyPI for the Python-dependency tests, fetched here (the tests resolve
# and install offline from this folder).
TEST_PACKAGES := six==1.17.0 idna==3.10

## test-deps: what the browser and terminal tests need (headless Chromium, its driver, selenium, tmux) and the
## wheels of the Python-dependency tests.
test-deps: deps
	@[ -f $(TEST_WHEELS)/.complete ] || { echo "downloading $(TEST_PACKAGES) into $(TEST_WHEELS)"; \
	  $(TOOLS)/bin/pip download -q --only-binary :all: --no-deps -d $(TEST_WHEELS) $(TEST_PACKAGES) && touch $(TEST_WHEELS)/.complete; }
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	/usr/bin/python3 -c 'import selenium' >/dev/null 2>&1 || missing="$$missing python3-selenium"; \
	command -v tmux >/dev/null 2>&1 || missing="$$missing tmux"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## build: the one build that make demo and make test share (debug, with the tests), so a fresh clone
## compiles once for both; make bench, chaos and deploy-check use the release build.
build: deps
	$(SWIFT) build --build-tests

release: deps
	$(SWIFT) build -c release

## test: every test (each suite starts its own redis-server), the short chaos run, then the style check. The
## console's browser tests run on their own after the rest: one of them holds the console to its 2-s live update,
## which a machine running a hundred suites at once on two cores cannot promise a headless Chromium.
test: test-deps build
	$(SWIFT) test --skip-build --skip ConsoleBrowserTests
	$(SWIFT) test --skip-build --filter ConsoleBrowserTests
	$(MAKE) chaos-quick
	$(MAKE) lint

## chaos-quick: the fault-injection scenarios at small scale against the debug build (part of make test).
chaos-quick:
	.build/debug/sluice-chaos --quick --binaries .build/debug

PYTHON_SOURCES := Sources/SluiceExecution/Programs scripts bench Tests/browser
DENO_PROGRAMS := Sources/SluiceExecution/Programs/deno
# The runtime's TypeScript (warm_up.ts is a job script: it resolves windmill-client through a job's import map).
DENO_CHECKED := bun.ts context.ts dedicated.ts main.ts windmill-client.ts

## lint: the style of every language in the tree — Swift (swift format), Python (ruff, ruff.toml), the worker's
## TypeScript and JavaScript, the TypeScript benchmark, and the console's script and stylesheet (deno lint, deno fmt, deno check).
lint: deps
	$(SWIFT) format lint --strict --recursive Sources Tests bench fuzz Package.swift
	$(TOOLS)/bin/ruff check --quiet $(PYTHON_SOURCES)
	$(TOOLS)/bin/ruff format --check --quiet $(PYTHON_SOURCES)
	cd $(DENO_PROGRAMS) && NO_COLOR=1 $(CURDIR)/$(TOOLS)/bin/deno lint --quiet . \
	  && NO_COLOR=1 $(CURDIR)/$(TOOLS)/bin/deno fmt --check --quiet --line-width 150 . \
	  && NO_COLOR=1 $(CURDIR)/$(TOOLS)/bin/deno check --quiet $(DENO_CHECKED)
	cd bench/deno && NO_COLOR=1 $(CURDIR)/$(TOOLS)/bin/deno lint --quiet . \
	  && NO_COLOR=1 $(CURDIR)/$(TOOLS)/bin/deno fmt --check --quiet --line-width 150 . \
	  && NO_COLOR=1 $(CURDIR)/$(TOOLS)/bin/deno check --quiet deno_costs.ts job_worker.ts
	cd Sources/SluiceConsole/Templates && NO_COLOR=1 $(CURDIR)/$(TOOLS)/bin/deno lint --quiet console_script.js \
	  && NO_COLOR=1 $(CURDIR)/$(TOOLS)/bin/deno fmt --check --quiet --line-width 150 console_script.js console_stylesheet.css

## demo: a private redis-server, a scheduler, two workers, the examples driven end to end.
demo: build
	./scripts/demo.sh .build/debug

## bench-deps: what the peers comparison needs: python3-venv (Debian's venv) and redis-benchmark.
bench-deps: deps
	@missing=""; \
	/usr/bin/python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing="$$missing python3-venv"; \
	command -v redis-benchmark >/dev/null 2>&1 || missing="$$missing redis-tools"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## The virtualenv of the peers (RQ, Celery), installed from PyPI at the pinned versions of bench/peers/requirements.txt.
$(PEERS_VENV)/installed: bench/peers/requirements.txt | bench-deps
	/usr/bin/python3 -m venv $(PEERS_VENV)
	$(PEERS_VENV)/bin/pip install -q --disable-pip-version-check -r bench/peers/requirements.txt
	touch $@

## bench: throughput and latency figures against RQ and Celery in the same run (see docs/benchmarks.md); BENCH_QUICK=1: under two minutes.
bench: release $(PEERS_VENV)/installed
	./scripts/bench.sh .build/release

## bench-compare: REF=<commit>: the core figures (no-op jobs, 3- and 10-step flows, 1,000 flows at once, the approval
## round trip) of the working tree against REF, both release, run alternately; prints each ratio (ROUNDS=3, QUICK=1).
bench-compare: deps
	@[ -n "$(REF)" ] || { echo "usage: make bench-compare REF=<commit> [ROUNDS=3] [QUICK=1]"; exit 2; }
	python3 scripts/bench-compare.py $(REF) --rounds $(or $(ROUNDS),3) $(if $(QUICK),--quick)

## deploy-check: validate deploy/ with the tools this machine has (systemd-analyze, YAML structure).
deploy-check: release
	./deploy/validate.sh

## chaos: the fault-injection suite at full scale against the release build (docs/reliability.md);
## CHAOS_SEED=N replays a run's random choices, CHAOS_ARGS="--scenario storm" runs one scenario.
chaos: release
	.build/release/sluice-chaos --binaries .build/release $(CHAOS_ARGS)

## fuzz: libFuzzer targets (JSON, expressions, flows, approval payloads), FUZZ_SECONDS each (default 60).
fuzz: deps
	./scripts/fuzz.sh

clean:
	rm -rf .build .build-fuzz
