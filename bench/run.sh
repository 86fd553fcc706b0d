#!/usr/bin/env bash
# Runs every benchmark (this framework and the anchors in one Criterion run) and writes
# BENCHMARKS.md at the repository root from the results. About 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
cargo bench -p promdecl-bench --bench anchors -- --noplot "$@"
cargo bench -p promdecl-bench --bench facade -- --noplot "$@"
# How long the run took, for the report's header.
BENCH_SECONDS=$(($(date +%s) - start))
export BENCH_SECONDS
# The fault suite's figures (cargo test -p promdecl-catalog --test fault) are kept as they are.
under_load=$(sed -n '/^## Under load and attack/,$p' BENCHMARKS.md 2>/dev/null || true)
cargo run -q --release -p promdecl-bench --bin report > BENCHMARKS.md
if [ -n "$under_load" ]; then printf '\n%s\n' "$under_load" >> BENCHMARKS.md; fi
echo "wrote BENCHMARKS.md"
sed -n '/^## Targets/,$p' BENCHMARKS.md
