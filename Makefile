# ADO Connect. The README's two commands are the contract:
#   make demo   set up this Debian 12 machine, build, start the sandbox Azure DevOps, open the wizard
#   make test   install what the tests need and run the tests (unit, integration, Python SDK, interop,
#               end to end in the real window)
# and CI (.ci/run) also runs the slower platform checks: make test-platforms.
SHELL := /bin/bash
.DEFAULT_GOAL := help
CARGO ?= cargo
TOOLS := $(CURDIR)/target/tools
TAURI_DRIVER := $(TOOLS)/bin/tauri-driver
VENV := $(CURDIR)/tests/python/.venv

.PHONY: build-demo-deps help demo test build deps-build deps-test tauri-driver oauth-interop python-venv test-rust test-python test-ui lint bench

help:
	@echo "make demo            - install what is missing, build, and open the wizard against the bundled sandbox"
	@echo "make test            - install what the tests need and run the unit, integration, interop and real-window tests"
	@echo "make test-platforms  - the slower platform checks: the Windows build and its CLI under Wine, the"
	@echo "                       release packages installed and started, fuzzing (CI runs it after make test)"
	@echo "make lint            - cargo fmt --check and clippy -D warnings"
	@echo "make bench           - benchmarks: preflight, org-wide webhooks, a large organization in the app, start-up"
	@echo "make check-windows   - the Windows release build (x86_64-pc-windows-gnu): clippy -D warnings, both .exe linked"
	@echo "make dist            - the release app: .deb and .rpm, and the Windows zip (target/release/bundle)"
	@echo "make test-wine       - the Windows CLI's journeys under Wine against the sandbox (tests/wine)"
	@echo "make fuzz            - every fuzz target for FUZZ_SECONDS from its corpus"

build-demo-deps:
	@scripts/install-system-deps.sh demo

deps-build:
	@scripts/install-system-deps.sh build

deps-test:
	@scripts/install-system-deps.sh test

# tauri-driver bridges WebDriver to WebKitWebDriver; installed into target/tools, pinned.
tauri-driver: $(TAURI_DRIVER)
# --debug: a test tool; it compiles in half the time of a release build.
$(TAURI_DRIVER):
	$(CARGO) install tauri-driver --version 2.1.0 --locked --debug --root $(TOOLS)

# npm oidc-provider: an independent OAuth server for the sign-in interop tests.
oauth-interop: tests/oauth-interop/node_modules/.installed
tests/oauth-interop/node_modules/.installed: tests/oauth-interop/package-lock.json
	npm ci --prefix tests/oauth-interop --no-audit --no-fund --loglevel=error
	touch $@

python-venv: $(VENV)/.installed
$(VENV)/.installed: tests/python/requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/python/requirements.txt
	touch $@

# The binaries with the features `cargo test --workspace` resolves: asking for examples (there are
# none) makes cargo resolve features with the dev-dependencies, as tests do. Without it the tests
# rebuild about 140 crates (tauri, gtk, rustls, ...) a second time with other features: ~5 minutes of
# make test after make demo.
build:
	$(CARGO) build --workspace --bins --examples

# -k: the Python SDK tests run even when a Rust test failed; make test fails if either did.
test: deps-test tauri-driver python-venv oauth-interop build
	scripts/desktop-session.sh $(MAKE) -k --no-print-directory test-rust test-python test-ui

test-rust:
	ADO_CONNECT_E2E=required ADO_CONNECT_INTEROP=required ADO_CONNECT_REQUIRE_KEYRING=1 TAURI_DRIVER=$(TAURI_DRIVER) \
	  $(CARGO) test --workspace --no-fail-fast

# The UI's step tests in Node, against a fake backend whose answers crates/flows/tests/ui_answers.rs
# checks against the real ones (a second or so).
test-ui:
	node --test tests/ui/*.test.js

test-python:
	ADO_EMULATOR_BIN=$(CURDIR)/target/debug/ado-emulator $(VENV)/bin/python -m pytest -q tests/python

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

# Figures, not pass/fail: each prints what it measured next to its aim (see the README).
bench: python-venv tauri-driver deps-test
	rm -rf target/bench
	$(CARGO) bench -p ado-flows --bench preflight
	scripts/desktop-session.sh $(CARGO) bench -p ado-flows --bench hooks
	$(CARGO) build --release --features custom-protocol -p ado-connect
	CARGO_TARGET_DIR=$(CURDIR)/target/bare-tauri $(CARGO) build --release --features custom-protocol \
	  --manifest-path benches/bare-tauri/Cargo.toml
	scripts/desktop-session.sh env ADO_CONNECT_E2E=required ADO_CONNECT_APP=$(CURDIR)/target/release/ado-connect \
	  TAURI_DRIVER=$(TAURI_DRIVER) $(CARGO) bench -p journeys --bench large_org
	scripts/desktop-session.sh python3 benches/first_paint.py --runs 15 --out target/bench/3-first-paint.md \
	  bare-tauri=$(CURDIR)/target/bare-tauri/release/bare-tauri ado-connect=$(CURDIR)/target/release/ado-connect
	python3 benches/results.py

demo: build-demo-deps build
	@scripts/demo.sh

# ---- Platforms and packages (Windows build and Wine, release bundles, fuzzing) --------------------
.PHONY: check-windows dist dist-linux dist-windows tauri-cli test-platforms test-wine deps-wine fuzz cargo-fuzz
TAURI_CLI := $(CURDIR)/scripts/tauri-cli/node_modules/.bin/tauri
CARGO_FUZZ := $(TOOLS)/bin/cargo-fuzz
FUZZ_SECONDS ?= 20
FUZZ_TARGETS := repo_url ado_json profiles journal loopback product_profile

deps-wine:
	@scripts/install-system-deps.sh wine

# The one Windows build (release, x86_64-pc-windows-gnu) with clippy -D warnings in the same compile;
# the zip and the Wine journeys use its files (target/windows). On 2 cores: ~10 min cold, several
# minutes after a change to our crates (release, LTO), seconds when nothing changed.
check-windows:
	scripts/check-windows.sh

# Tauri's bundler from npm (the prebuilt CLI; cargo install tauri-cli takes 12 minutes).
tauri-cli: $(TAURI_CLI)
$(TAURI_CLI): scripts/tauri-cli/package-lock.json
	npm ci --prefix scripts/tauri-cli --no-audit --no-fund --loglevel=error
	touch $@

# The release app: its .deb and .rpm, and the Windows zip, under target/release/bundle.
dist: dist-linux dist-windows

dist-linux: deps-build tauri-cli
	$(TAURI_CLI) build --ci --bundles deb,rpm

dist-windows: check-windows
	scripts/dist-windows.sh

# The slower checks, after make test (.ci/run): the Windows build and its CLI's journeys under Wine,
# the .deb installed, started and seen painting, the desktop-session script cleaning up, fuzzing.
test-platforms: deps-test deps-wine build dist
	scripts/test-desktop-session.sh
	scripts/deb-smoke.sh
	tests/wine/journeys.sh
	$(MAKE) --no-print-directory fuzz

# The Windows CLI (from the zip) under Wine against the sandbox, secrets in the Credential Manager.
test-wine: deps-wine build dist-windows
	tests/wine/journeys.sh

cargo-fuzz: $(CARGO_FUZZ)
$(CARGO_FUZZ):
	$(CARGO) install cargo-fuzz --version 0.13.2 --locked --debug --root $(TOOLS)

# Each target for FUZZ_SECONDS from its checked-in corpus (fuzz/README.md); a crash fails.
fuzz: cargo-fuzz
	scripts/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
