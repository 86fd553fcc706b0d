#!/usr/bin/env bash
# Runs every benchmark (this framework and the anchors in one Criterion run) and writes
# BENCHMARKS.md at the repository root from the results.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo bench -p promdecl-bench --bench anchors -- --noplot "$@"
cargo run -q --release -p promdecl-bench --bin report > BENCHMARKS.md
echo "wrote BENCHMARKS.md"
sed -n '/^## Targets/,$p' BENCHMARKS.md
