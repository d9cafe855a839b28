# planscope: `make serve` to use it, `make test` to check it. Each does its own setup.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)
WASM := --target wasm32-unknown-unknown

.PHONY: bench-web bench-load dist serve test setup-serve setup-test fmt-check lint test-native test-fuzz fuzz build-web test-browser bench clean

serve: setup-serve
	trunk serve --release

test: setup-test fmt-check lint test-native test-fuzz build-web test-browser

setup-serve:
	@scripts/setup.sh serve

setup-test:
	@scripts/setup.sh test

fmt-check:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy $(WASM) --workspace --lib --bins -- -D warnings

test-native:
	# Benchmarks are compiled by clippy above and run by `make bench`, not here: their peers
	# (Graphviz dot on the largest corpus file) take minutes.
	cargo test --workspace --lib --bins --tests --examples

# AFL++ through cargo-afl (fuzz/, its own package): 20 s per target, failing on a crash.
test-fuzz:
	scripts/fuzz.sh seconds 20

# The long campaign: 10 million executions in total over every target, FUZZ_JOBS targets
# at once (default 1 core; `make fuzz FUZZ_JOBS=2` on a machine of your own). See
# fuzz/README.md for the rates and the time it takes.
FUZZ_JOBS ?= 1
fuzz: setup-test
	FUZZ_JOBS=$(FUZZ_JOBS) scripts/fuzz.sh execs 10000000

build-web:
	trunk build --release

test-browser:
	node --test --test-concurrency=1 tests/browser/

bench:
	cargo bench
	# Peak memory of reading and verifying a generated 100k-node plan, against its size.
	cargo run --release --example gen_plan > target/gen-100k.json
	cargo run --release --example peak_memory -- target/gen-100k.json

clean:
	cargo clean
	rm -rf dist

# A folder for any static host, under any sub-path (asset URLs are relative; no server
# needed). The CSP meta tag is written by the post-build hook (scripts/csp.mjs).
dist: setup-serve
	trunk build --release
	@echo "dist/ is ready: copy it to any static host"

# The page timed in headless Chromium against `dot -Tsvg` (which takes minutes), and a
# 1,000,000-node gzip plan dropped on the page against a 100k-node one (the default suite
# runs the same test on ~250k nodes).
bench-web: setup-test build-web
	cargo run --release --example gen_plan > target/gen-100k.json
	node tests/browser/bench-dag.mjs
	PLANSCOPE_SCALE=1m node --test --test-concurrency=1 tests/browser/scale.test.mjs

# Time to open the page (README "Page size"); OTHER=DIR compares with another release build.
bench-load: setup-test build-web
	node tests/browser/bench-load.mjs $(OTHER)
