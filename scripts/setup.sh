#!/usr/bin/env bash
# Installs what `make serve` (setup.sh serve) or `make test` (setup.sh test) needs,
# skipping whatever is already there, so a second run takes seconds.
set -euo pipefail

want="${1:-serve}"
TRUNK_VERSION=0.21.14
# Must equal the wasm-bindgen version pinned in Cargo.toml.
WASM_BINDGEN_VERSION=0.2.130

export PATH="$HOME/.cargo/bin:$PATH"
say() { printf '\033[1;34msetup:\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  say "installing trunk $TRUNK_VERSION (about 15 minutes on 2 cores, once)"
  # Newer trunk releases need a newer rustc than this toolchain.
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi

if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  say "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION"
  # Not --locked: the crate mirror lacks one of its locked dependencies.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

# node_modules is current when it was installed from this exact lockfile. Both `serve` and
# `test` need it: the release build shrinks the wasm with binaryen's wasm-opt from npm
# (scripts/wasm-opt.mjs); the browser tests drive Chromium with playwright-core and axe-core.
stamp=node_modules/.planscope-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  say "installing node packages (npm ci)"
  npm ci --no-audit --no-fund
  cp package-lock.json "$stamp"
fi

[ "$want" = "test" ] || exit 0

for component in rustfmt clippy; do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding the $component component"
    rustup component add "$component"
  fi
done

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
# Graphviz: the DOT writer's output is rendered by `dot` in the tests, and the
# benchmarks compare against `gc` and `acyclic`.
command -v dot >/dev/null && command -v gc >/dev/null || missing+=(graphviz)
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]} from Debian"
  SUDO=""
  [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}"
fi

# The fuzz targets in fuzz/ (make test runs them briefly, make fuzz long): cargo-afl
# builds them with AFL++'s instrumentation on stable Rust, and AFL++ itself (afl-fuzz and
# its runtime, from the source cargo-afl ships) once per toolchain (`cargo afl config
# --build`, about a minute). Debian's afl++ (4.04c) is too old for that runtime (4.40c).
# Must match the afl crate in fuzz/Cargo.lock.
CARGO_AFL_VERSION=0.18.2
if [ "$(cargo afl --version 2>/dev/null | awk '{print $2}')" != "$CARGO_AFL_VERSION" ]; then
  say "installing cargo-afl $CARGO_AFL_VERSION"
  cargo install cargo-afl --version "$CARGO_AFL_VERSION" --locked
fi
if ! ls "${XDG_DATA_HOME:-$HOME/.local/share}"/afl.rs/rustc-"$(rustc --version | awk '{print $2}')"-*/afl.rs-*/afl-llvm/afl-compiler-rt.o >/dev/null 2>&1; then
  say "building AFL++'s runtime for cargo-afl"
  cargo afl config --build
fi
