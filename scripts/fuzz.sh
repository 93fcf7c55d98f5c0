#!/usr/bin/env bash
# Runs each fuzz target for a bounded time from its checked-in corpus (fuzz/corpus/<target>).
#   scripts/fuzz.sh SECONDS TARGET...
# New inputs libFuzzer finds go to target/fuzz/corpus/<target> (the checked-in corpus is only
# read); a crash stops the run with the input under target/fuzz/artifacts/<target>/ and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=$1; shift
export PATH="$PWD/target/tools/bin:$PATH"
rustup run nightly rustc --version >/dev/null 2>&1 || rustup toolchain install nightly --profile minimal
fuzz=(cargo +nightly fuzz)
common=(--fuzz-dir fuzz --target-dir target/fuzz -O)
"${fuzz[@]}" build "${common[@]}"
for t in "$@"; do
  mkdir -p "target/fuzz/corpus/$t" "target/fuzz/artifacts/$t"
  echo "fuzz: $t for ${seconds}s"
  if ! "${fuzz[@]}" run "${common[@]}" "$t" "target/fuzz/corpus/$t" "fuzz/corpus/$t" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -artifact_prefix="target/fuzz/artifacts/$t/" \
      -print_final_stats=1 2>"target/fuzz/$t.log"; then
    tail -40 "target/fuzz/$t.log" >&2
    echo "fuzz: $t failed; the input is in target/fuzz/artifacts/$t/ (fuzz/README.md: fix, then add it to fuzz/corpus/$t)" >&2
    exit 1
  fi
  grep -E "stat::number_of_executed_units|stat::new_units_added" "target/fuzz/$t.log" | sed "s/^/fuzz: $t /"
done
