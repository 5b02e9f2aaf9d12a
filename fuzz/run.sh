#!/usr/bin/env bash
# Bounded fuzzing of speechdex's corpus readers and query parser (issue 7), as CI runs it:
#   bash fuzz/run.sh [SECONDS_PER_TARGET]      (default 45)
# Installs cargo-fuzz when missing, writes the seed corpora (fuzz/seed.sh), builds the targets
# and runs each for the given time. Fails on the first crash, leaving the input in
# fuzz/artifacts/TARGET/. cargo-fuzz needs nightly features: on a stable toolchain they are
# enabled with RUSTC_BOOTSTRAP=1 (libFuzzer comes from the libfuzzer-sys crate).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-45}
targets=(decode read_text read_jsonl read_csv query_parse)
export RUSTC_BOOTSTRAP=1 CARGO_TERM_COLOR=never
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install --locked cargo-fuzz@0.13.2 --quiet
fi
./seed.sh
# The targets build from fuzz/Cargo.lock as committed (cargo-fuzz has no --locked of its own):
# a lock that no longer matches the manifests fails here instead of being rewritten.
cargo fetch --locked --quiet
cargo fuzz build
for t in "${targets[@]}"; do
  log=$(mktemp)
  if ! cargo fuzz run "$t" -- -max_total_time="$seconds" -max_len=16384 -print_final_stats=1 \
      >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz: $t failed; the input is in fuzz/artifacts/$t/ (replay: cargo fuzz run $t FILE)"
    exit 1
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'DONE *cov: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  echo "fuzz: $t: $runs executions in ${seconds} s, coverage $cov, no crash"
  rm -f "$log"
done
