#!/usr/bin/env bash
# Runs each libFuzzer target for FUZZ_SECONDS with its seed corpus (the HTTP request
# path target for at most 30 s: its input space is small) and prints its figures
# (executions, executions/s, coverage). A finding fails the run; the crashing input
# is kept in BUILD_DIR/fuzz-findings/.
# Usage: fuzz/run.sh BUILD_DIR SECONDS
set -euo pipefail
build="${1:-build-fuzz}"
seconds="${2:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
work="$build/fuzz-work"
findings="$build/fuzz-findings"
rm -rf "$work"
mkdir -p "$work/json" "$work/wire" "$work/http" "$findings"

cp "$here"/corpus/json/* "$work/json/"
cp "$here"/corpus/http/* "$work/http/"
"$build/fuzz/fuzz_wire_seeds" "$work/wire" "$here"/corpus/json/*

status=0
for target in json_decoder wire_reader http_request; do
  corpus="$work/json"
  budget="$seconds"
  [ "$target" = wire_reader ] && corpus="$work/wire"
  if [ "$target" = http_request ]; then
    corpus="$work/http"
    budget=$(( seconds < 30 ? seconds : 30 ))
  fi
  log="$build/fuzz-$target.log"
  echo "fuzz: $target for ${budget}s (corpus $(ls "$corpus" | wc -l) seed(s))"
  if "$build/fuzz/fuzz_$target" -max_total_time="$budget" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$findings/$target-" "$corpus" >"$log" 2>&1; then
    runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo "?")
    rate=$(grep -o 'exec/s: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo "?")
    echo "fuzz: $target: no finding; $runs executions, $rate exec/s, coverage $cov"
  else
    status=1
    echo "fuzz: $target FOUND A PROBLEM (log: $log, inputs: $findings)"
    tail -40 "$log"
  fi
done
exit $status
