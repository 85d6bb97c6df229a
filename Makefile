# Sluice — the two commands: `make demo` and `make test`. Both install what is missing first.
SWIFT ?= swift
APT_PACKAGES := redis-server libhiredis-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

PEERS_VENV := .build-peers/venv

.PHONY: deps test-deps bench-deps build release test chaos-quick lint lua demo bench chaos fuzz clean

## deps: install redis-server, libhiredis-dev and bubblewrap (the job sandbox) with apt-get when they are missing.
deps:
	@missing=""; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	command -v bwrap >/dev/null 2>&1 || missing="$$missing bubblewrap"; \
	[ -f /usr/include/hiredis/hiredis.h ] || missing="$$missing libhiredis-dev"; \
	command -v python3 >/dev/null 2>&1 || missing="$$missing python3"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

## test-deps: what the browser and terminal tests need: headless Chromium, its driver, selenium, tmux.
test-deps: deps
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v chromedriver >/dev/null 2>&1 || missing="$$missing chromium-driver"; \
	/usr/bin/python3 -c 'import selenium' >/dev/null 2>&1 || missing="$$missing python3-selenium"; \
	command -v tmux >/dev/null 2>&1 || missing="$$missing tmux"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release

## test: every test (each suite starts its own redis-server), the short chaos run, then the style check.
test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(MAKE) chaos-quick
	$(MAKE) lint

## chaos-quick: the fault-injection scenarios at small scale against the debug build (part of make test).
chaos-quick:
	.build/debug/sluice-chaos --quick --binaries .build/debug

lint:
	$(SWIFT) format lint --strict --recursive Sources Tests bench fuzz Package.swift

## lua: regenerate Sources/SluiceStore/Scripts/EmbeddedLua.swift from Sources/SluiceStore/Lua (a test checks it is current).
lua:
	python3 scripts/embed-lua.py

## demo: a private redis-server, a scheduler, two workers, the examples driven end to end.
demo: release
	./scripts/demo.sh .build/release

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

## chaos: the fault-injection suite at full scale against the release build (docs/reliability.md);
## CHAOS_SEED=N replays a run's random choices, CHAOS_ARGS="--scenario storm" runs one scenario.
chaos: release
	.build/release/sluice-chaos --binaries .build/release $(CHAOS_ARGS)

## fuzz: libFuzzer targets (JSON, expressions, flows, approval payloads), FUZZ_SECONDS each (default 60).
fuzz: deps
	./scripts/fuzz.sh

clean:
	rm -rf .build .build-fuzz
