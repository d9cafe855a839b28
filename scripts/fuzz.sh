#!/usr/bin/env bash
# Fuzzes planscope's readers and analyses with AFL++ (cargo-afl, persistent mode), one
# target after another on one core, and fails when any target crashed. The fuzzer is
# cargo-afl's own AFL++ (4.40c, built by `cargo afl config --build`): Debian's afl-fuzz
# (4.04c) cannot start the 4.40c runtime that cargo-afl links into the target.
#   scripts/fuzz.sh seconds N [TARGET...]   each target for N seconds (make test: short)
#   scripts/fuzz.sh execs N [TARGET...]     N executions in total, split over the targets
# FUZZ_JOBS=J runs J targets at once (default 1).
# Targets default to every one in fuzz/src/targets.rs. Work and findings go to
# $FUZZ_OUT (default target/fuzz-out); a crash's input is to be saved under
# fuzz/regressions/TARGET/ so that `cargo test` (tests/fuzz_regressions.rs) replays it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

mode="${1:?usage: scripts/fuzz.sh seconds|execs N [TARGET...]}"
amount="${2:?usage: scripts/fuzz.sh seconds|execs N [TARGET...]}"
shift 2
out="${FUZZ_OUT:-target/fuzz-out}"
# AFL instruments every crate, so its build gets its own target folder.
export CARGO_TARGET_DIR="${FUZZ_TARGET_DIR:-$PWD/target/fuzz}"
bin="$CARGO_TARGET_DIR/release/planscope-fuzz"

say() { printf '\033[1;34mfuzz:\033[0m %s\n' "$*"; }

(cd fuzz && cargo afl build --release --quiet)
# The target names, as the binary lists them when given none.
all=$("$bin" 2>&1 | sed -n 's/.*one of: //p' || true)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || read -r -a targets <<<"$all"

# Seeds: the committed ones, plus the small real plans of the shared corpus (AFL wants
# seeds of a few kB: each execution reads the whole input, so large plans slow it down).
corpus=../shared/corpus/lr-agent
seed() {
  local t=$1 dir=$2
  rm -rf "$dir" && mkdir -p "$dir"
  cp fuzz/seeds/"$t"/* "$dir"/
  [ -d fuzz/regressions/"$t" ] && cp fuzz/regressions/"$t"/* "$dir"/ 2>/dev/null || true
  local ext=""
  case $t in
    json) ext=json ;;
    dot) ext=dot ;;
    verify) ext="json dot" ;;
  esac
  for e in $ext; do
    [ -d "$corpus" ] && find "$corpus" -name "*.$e" -size -8k -exec cp {} "$dir"/ \;
    cp www/examples/*.json "$dir"/ 2>/dev/null || true
  done
  return 0
}

# AFL's checks of the host (CPU governor, core dumps piped elsewhere) would stop it on a
# shared or CI machine; they matter for speed only, not for what is found.
export AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_UI=1
export AFL_NO_AFFINITY=1 AFL_FAST_CAL=1 AFL_IGNORE_SEED_PROBLEMS=1
per_target=$amount
[ "$mode" = execs ] && per_target=$(( (amount + ${#targets[@]} - 1) / ${#targets[@]} ))

# One target: fuzz it, then write "EXECS SECONDS CRASHES HANGS" to its result file.
fuzz_one() {
  local t=$1 dir="$out/$1" limit start took stats execs hangs crashes
  seed "$t" "$dir/in"
  rm -rf "$dir/out" "$dir/result"
  case $mode in
    seconds) limit=(-V "$per_target") ;;
    execs) limit=(-E "$per_target") ;;
  esac
  say "$t: ${limit[*]}"
  start=$(date +%s)
  # -t: a single input taking over 2 s is a hang (reported, not a crash).
  if ! cargo afl fuzz "${limit[@]}" -t 2000 -i "$dir/in" -o "$dir/out" -- "$bin" "$t" >"$dir/afl.log" 2>&1; then
    tail -20 "$dir/afl.log"
    echo "fuzz.sh: afl-fuzz failed for $t (log: $dir/afl.log)" >&2
    return 1
  fi
  took=$(( $(date +%s) - start ))
  stats="$dir/out/default/fuzzer_stats"
  execs=$(awk -F: '/^execs_done/ {gsub(/ /,"",$2); print $2}' "$stats")
  hangs=$(find "$dir/out/default/hangs" -name 'id:*' | wc -l)
  crashes=$(find "$dir/out/default/crashes" -name 'id:*' | wc -l)
  say "$t: $execs executions in ${took}s ($((execs / (took > 0 ? took : 1)))/s), $crashes crashes, $hangs hangs"
  echo "$execs $took $crashes $hangs" >"$dir/result"
}

case $mode in
  seconds | execs) ;;
  *) echo "fuzz.sh: mode must be seconds or execs" >&2; exit 2 ;;
esac
# FUZZ_JOBS targets at once (default 1: one core; the machine may be shared).
jobs=${FUZZ_JOBS:-1}
began=$(date +%s) failed=0
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || failed=1; done
  fuzz_one "$t" &
done
while [ "$(jobs -rp | wc -l)" -gt 0 ]; do wait -n || failed=1; done
wall=$(( $(date +%s) - began ))

total=0 crashed=()
for t in "${targets[@]}"; do
  [ -f "$out/$t/result" ] || { failed=1; continue; }
  read -r execs _ crashes _ <"$out/$t/result"
  total=$((total + execs))
  [ "$crashes" -eq 0 ] || crashed+=("$t: $out/$t/out/default/crashes")
done
say "total: $total executions in ${wall}s with $jobs job(s) ($((total / (wall > 0 ? wall : 1)))/s)"
[ "$failed" -eq 0 ] || { echo "fuzz.sh: a fuzzer did not finish" >&2; exit 1; }
if [ ${#crashed[@]} -gt 0 ]; then
  printf 'fuzz: crash found in %s\n' "${crashed[@]}" >&2
  exit 1
fi
