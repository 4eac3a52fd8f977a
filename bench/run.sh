#!/usr/bin/env bash
# Runs the benchmarks from a Release build and prints their figures.
#   bench/run.sh BUILD_DIR      (BENCH_SCALE=small for a quick run)
set -euo pipefail
build=${1:-build-release}
case "${BENCH_SCALE:-default}" in
  small) customers=5000 ;;
  *) customers=100000 ;;
esac
echo "cores: $(nproc)"
"$build/bench/pipeline_bench" "$customers"
