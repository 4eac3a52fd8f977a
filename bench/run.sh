#!/usr/bin/env bash
# `make bench`: every benchmark from a Release build, a table of figures (medians of
# BENCH_REPEAT runs where cheap) and BUILD/bench/results.json. See docs/performance.md.
#   bench/run.sh BUILD_DIR          BENCH_SCALE=small for a quick run
set -euo pipefail
build=${1:-build-release}
out="$build/bench"
mkdir -p "$out"
results="$out/results.txt"
: > "$results"

case "${BENCH_SCALE:-default}" in
  small) customers=${BENCH_CUSTOMERS:-10000} ;;
  *) customers=${BENCH_CUSTOMERS:-180000} ;;  # ~11 events a customer: ~2,000,000 events
esac
cores=$(nproc)
echo "rapport benchmarks: $customers customers, $cores cores, $(date -u +%FT%TZ)"
echo "RESULT cores $cores" >> "$results"

# Runs a benchmark program: human lines to the terminal, RESULT lines collected.
run() {
  local log
  log=$(mktemp)
  "$@" > "$log"
  grep -v '^RESULT ' "$log" || true
  grep '^RESULT ' "$log" >> "$results" || true
  rm -f "$log"
}
figure() { awk -v k="$1" '$1 == "RESULT" && $2 == k { v = $3 } END { print v }' "$results"; }

echo; echo "== 1. codec"
run "$build/bench/codec_bench" $((customers / 10))
echo; echo "== 2. fold in process, 4. rebuild from the journal, raw RocksDB"
run "$build/bench/fold_bench" "$customers"
echo; echo "== 2b. what the value rankings cost the customer view"
run "$build/bench/value_ranking_bench" "$customers"
echo; echo "== 2c. churn / CLV model: BG/NBD and Gamma-Gamma fits"
run "$build/bench/model_fit_bench" 100000
echo; echo "== 2d. the satisfaction and loyalty projections and their reads"
run "$build/bench/satisfaction_loyalty_bench" "$customers"
echo; echo "== 3. Kafka: consume-only limit, projections, end to end"
run "$build/bench/pipeline_bench" "$customers"

echo; echo "== 5-7. HTTP against a running 'rapport up'"
work=$(mktemp -d)
trap 'kill $rapport_pid 2>/dev/null || true; rm -rf "$work"' EXIT
"$build/services/rapport" up --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/up.log" 2>&1 &
rapport_pid=$!
for _ in $(seq 1 600); do grep -q 'HTTP:' "$work/up.log" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's|.*HTTP: *http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/up.log")
[ -n "$port" ] || { echo "rapport up did not start:"; cat "$work/up.log"; exit 1; }
until curl -sf "http://127.0.0.1:$port/readyz" > /dev/null; do sleep 0.2; done
run "$build/bench/http_load" ndjson 127.0.0.1 "$port" "$customers"
run "$build/bench/http_load" single 127.0.0.1 "$port" 5000
run "$build/bench/http_load" query 127.0.0.1 "$port" 5000 10 "$customers"
rss_kib=$(awk '/VmHWM/ { print $2 }' "/proc/$rapport_pid/status")
kill -TERM $rapport_pid; wait $rapport_pid || true
store_bytes=$(du -sb "$work/data" | cut -f1)
echo "RESULT peak_rss_mib $((rss_kib / 1024))" >> "$results"
echo "RESULT store_bytes_per_customer $((store_bytes / customers))" >> "$results"
printf '%-44s %14s\n' "rapport up peak RSS" "$((rss_kib / 1024)) MiB" "store on disk per customer" "$((store_bytes / customers)) bytes"

echo; echo "== the PostgreSQL 15 peer"
pg_bin=/usr/lib/postgresql/15/bin
if [ ! -x "$pg_bin/postgres" ]; then
  echo "installing postgresql-15 (the benchmark's own dependency)"
  sudo=$([ "$(id -u)" = 0 ] || echo sudo)
  $sudo apt-get install -y -qq postgresql-15 > /dev/null
fi
pg=$(mktemp -d /tmp/rapport-pg.XXXXXX)
chmod 755 "$pg"
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
[ "$(id -u)" = 0 ] && chown postgres "$pg"
"$build/bench/postgres_peer" "$customers" > "$pg/load.sql"
as_pg "$pg_bin/initdb" -D "$pg/db" -A trust -U bench > /dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg/db" -o "-k $pg -c listen_addresses=127.0.0.1 -p 55432 -c fsync=on -c synchronous_commit=on" -w -l "$pg/log" start > /dev/null
events=$(figure events)
start=$(date +%s.%N)
as_pg psql -q -h 127.0.0.1 -p 55432 -U bench -d postgres -f "$pg/load.sql" > /dev/null
seconds=$(echo "$(date +%s.%N) - $start" | bc -l)
as_pg "$pg_bin/pg_ctl" -D "$pg/db" -m fast stop > /dev/null
rm -rf "$pg"
pg_rate=$(echo "$events / $seconds" | bc -l)
echo "RESULT postgres_peer_events_per_s $pg_rate" >> "$results"
printf '%-44s %14.1f %s\n' "postgres_peer_events_per_s" "$pg_rate" "events/s (upserts, transactions of 1,000)"

# Ratios against the peer and the limits.
cv=$(figure customer_view_events_per_s)
consume=$(figure consume_only_events_per_s)
raw=$(figure rocksdb_raw_writes_per_s)
lower=$(echo "if ($consume < $raw) $consume else $raw" | bc -l)
echo "RESULT customer_view_vs_postgres $(echo "$cv / $pg_rate" | bc -l)" >> "$results"
echo "RESULT customer_view_share_of_limit $(echo "$cv / $lower" | bc -l)" >> "$results"

json="$out/results.json"
{
  echo "{"
  awk '$1 == "RESULT" { v[$2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
       END { for (i = 0; i < n; i++) printf "  \"%s\": %s%s\n", order[i], v[order[i]], (i + 1 < n ? "," : "") }' "$results"
  echo "}"
} > "$json"

echo; echo "== summary against the targets (docs/performance.md)"
printf '%-52s %s\n' \
  "customer view vs PostgreSQL peer (target >= 20x)" "$(printf '%.1fx' "$(figure customer_view_vs_postgres)")" \
  "customer view / min(consume-only, raw RocksDB) (>= 0.5)" "$(printf '%.2f' "$(figure customer_view_share_of_limit)")" \
  "rebuild of $(figure rebuild_events) events (2M in < 10 s)" "$(printf '%.1f s' "$(figure rebuild_seconds)")" \
  "rapport replay customer-view (full rebuild)" "$(printf '%.0f events/s' "$(figure replay_customer-view_events_per_s)")" \
  "query p99 at 5,000/s while ingesting (< 2 ms)" "$(printf '%.2f ms' "$(figure query_p99_ms)")" \
  "gateway NDJSON (>= 100,000 events/s)" "$(printf '%.0f events/s' "$(figure gateway_ndjson_events_per_s)")" \
  "peak RSS of rapport up ($customers customers)" "$(figure peak_rss_mib) MiB"
echo "figures: $json"
