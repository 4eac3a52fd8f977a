#!/usr/bin/env bash
# `make bench`: every benchmark from a Release build, a table of figures and
# BUILD/bench/results.json. Which figures are medians, which use a subset and which
# are bounded by a time limit: docs/performance.md. Every stage is timed
# (`stage_<name>_seconds`); a failing stage is reported and the others still run.
#   bench/run.sh BUILD_DIR          BENCH_SCALE=small for a quick run
set -uo pipefail
build=${1:-build-release}
out="$build/bench"
mkdir -p "$out"
results="$out/results.txt"
: > "$results"

# Scale. The per-projection figures of stage 2 use the history's first
# $subset_events events; the whole-history figures are the customer view's rebuild
# and replay, the end-to-end run, the gateway and the peer. Time limits keep the
# whole run within 20 minutes on 2 cores even when the machine is busy.
case "${BENCH_SCALE:-default}" in
  small)
    customers=${BENCH_CUSTOMERS:-10000}
    subset_events=${BENCH_SUBSET_EVENTS:-0}  # 0: the whole history
    export BENCH_E2E_SECONDS=${BENCH_E2E_SECONDS:-0}
    ndjson_seconds=${BENCH_NDJSON_SECONDS:-0}
    side_customers=$customers
    rss_customers=${BENCH_RSS_CUSTOMERS:-$customers}
    ;;
  *)
    customers=${BENCH_CUSTOMERS:-180000}  # ~11.4 events a customer: ~2,050,000 events
    subset_events=${BENCH_SUBSET_EVENTS:-250000}
    export BENCH_E2E_SECONDS=${BENCH_E2E_SECONDS:-120}
    ndjson_seconds=${BENCH_NDJSON_SECONDS:-60}
    side_customers=$((customers / 8))  # stages 2b and 2d
    rss_customers=${BENCH_RSS_CUSTOMERS:-1000000}  # the peak-RSS target's population
    ;;
esac
export BENCH_E2E_DRAIN_SECONDS=${BENCH_E2E_DRAIN_SECONDS:-90}
export BENCH_WINDOW_SECONDS=${BENCH_WINDOW_SECONDS:-120}
window=${BENCH_WINDOW_EVENTS:-200000}  # fits the embedded broker's retention
pg_seconds=${BENCH_PG_SECONDS:-90}
single_count=${BENCH_SINGLE_COUNT:-5000}
single_seconds=${BENCH_SINGLE_SECONDS:-20}
query_rate=${BENCH_QUERY_RATE:-5000}
query_seconds=${BENCH_QUERY_SECONDS:-10}
# The population is generated once and shared by the programs (bench/bench_util.h).
own_data_dir=
if [ -z "${BENCH_DATA_DIR:-}" ]; then own_data_dir=$(mktemp -d /tmp/rapport-bench-data.XXXXXX); fi
export BENCH_DATA_DIR=${BENCH_DATA_DIR:-$own_data_dir}
cores=$(nproc)
echo "rapport benchmarks: $customers customers, $cores cores, $(date -u +%FT%TZ)"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine moves every figure)"
echo "RESULT cores $cores" >> "$results"
echo "RESULT customers $customers" >> "$results"
failed_stages=()
bench_start=$(date +%s.%N)

# Runs a benchmark program: human lines to the terminal as they come, RESULT lines
# collected.
run() {
  local log rc
  log=$(mktemp)
  "$@" | tee "$log" | grep --line-buffered -v '^RESULT '
  rc=${PIPESTATUS[0]}
  grep '^RESULT ' "$log" >> "$results" || true
  rm -f "$log"
  if [ "$rc" != 0 ]; then echo "FAILED ($rc): $*"; failed_stages+=("$(basename "$1")"); fi
  return 0
}
figure() { awk -v k="$1" '$1 == "RESULT" && $2 == k { v = $3 } END { print v }' "$results"; }
# Arithmetic with a JSON-valid result (bc writes .5 for 0.5).
calc() { printf '%.4f' "$(echo "$1" | bc -l)"; }
# BENCH_STAGES="3_pipeline pg" runs only those stages (names as in stage_<name>_seconds).
want() { [ -z "${BENCH_STAGES:-}" ] || [[ " $BENCH_STAGES " == *" $1 "* ]]; }
stage_started=
stage() {  # stage NAME TITLE: closes the previous stage's clock, starts this one's
  stage_end
  stage_name=$1
  stage_started=$(date +%s.%N)
  echo; echo "== $2"
}
stage_end() {
  [ -n "$stage_started" ] || return 0
  local seconds
  seconds=$(calc "$(date +%s.%N) - $stage_started")
  echo "RESULT stage_${stage_name}_seconds $seconds" >> "$results"
  printf '%-44s %14.1f s\n' "stage ${stage_name} wall time" "$seconds"
  stage_started=
}
# a / b, or nothing when either is missing or b is 0.
ratio() { [ -n "$1" ] && [ -n "$2" ] && echo "$2 != 0" | bc -l | grep -q 1 && calc "$1 / $2"; }

if want 1_codec; then
  stage 1_codec "1. codec (median of ${BENCH_REPEAT:-3})"
  run "$build/bench/codec_bench" $((customers / 10))
fi
if want 2_fold; then
  stage 2_fold "2. fold in process, 4. rebuild and replay from the journal, raw RocksDB"
  run "$build/bench/fold_bench" "$customers" "$subset_events" "$window"
fi
if want 2b_value_ranking; then
  stage 2b_value_ranking "2b. what the value rankings cost the customer view ($side_customers customers)"
  run "$build/bench/value_ranking_bench" "$side_customers"
fi
if want 2c_model_fit; then
  stage 2c_model_fit "2c. churn / CLV model: BG/NBD and Gamma-Gamma fits"
  run "$build/bench/model_fit_bench" 100000
fi
if want 2d_satisfaction_loyalty; then
  stage 2d_satisfaction_loyalty "2d. the satisfaction and loyalty projections and their reads ($side_customers customers)"
  run "$build/bench/satisfaction_loyalty_bench" "$side_customers"
fi
if want 3_pipeline; then
  stage 3_pipeline "3. Kafka: consume-only limit, projections, end to end"
  run "$build/bench/pipeline_bench" "$customers" "$window"
fi

work=$(mktemp -d)
rapport_pid=
pg=
cleanup() {
  [ -n "$rapport_pid" ] && kill "$rapport_pid" 2>/dev/null
  rm -rf "$work"
  [ -n "$pg" ] && rm -rf "$pg"
  [ -n "$own_data_dir" ] && rm -rf "$own_data_dir"
  return 0
}
trap cleanup EXIT
if want 5_7_http; then
  stage 5_7_http "5-7. HTTP against a running 'rapport up'"
  "$build/services/rapport" up --data-dir "$work/data" --listen 127.0.0.1:0 > "$work/up.log" 2>&1 &
  rapport_pid=$!
  for _ in $(seq 1 600); do grep -q 'HTTP:' "$work/up.log" 2>/dev/null && break; sleep 0.1; done
  port=$(sed -n 's|.*HTTP: *http://127.0.0.1:\([0-9]*\).*|\1|p' "$work/up.log")
  ready=
  if [ -n "$port" ]; then
    for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && ready=1 && break; sleep 0.2; done
  fi
  if [ -z "$ready" ]; then
    echo "FAILED: rapport up did not become ready:"; cat "$work/up.log"; failed_stages+=(rapport-up)
  else
    export BENCH_UP_DATA_DIR="$work/data"  # http_load sends its admin.token
    run "$build/bench/http_load" ndjson 127.0.0.1 "$port" "$customers" "$ndjson_seconds"
    run "$build/bench/http_load" single 127.0.0.1 "$port" "$single_count" "$single_seconds"
    BENCH_QUERY_EXPECT_EVENTS=$(figure gateway_ndjson_events) \
      run "$build/bench/http_load" query 127.0.0.1 "$port" "$query_rate" "$query_seconds" "$customers"
    rss_kib=$(awk '/VmHWM/ { print $2 }' "/proc/$rapport_pid/status")
    kill -TERM "$rapport_pid"
    for _ in $(seq 1 300); do kill -0 "$rapport_pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$rapport_pid" 2>/dev/null; then echo "rapport up did not stop in 60 s: killed"; kill -KILL "$rapport_pid"; fi
    wait "$rapport_pid" 2>/dev/null || true
    rapport_pid=
    store_bytes=$(du -sb "$work/data" | cut -f1)
    stored_customers=$(figure gateway_ndjson_customers)
    stored_customers=${stored_customers%.*}
    [ -n "$stored_customers" ] && [ "$stored_customers" -gt 0 ] || stored_customers=$customers
    echo "RESULT peak_rss_mib $((rss_kib / 1024))" >> "$results"
    echo "RESULT store_bytes_per_customer $((store_bytes / stored_customers))" >> "$results"
    printf '%-44s %14s\n' "rapport up peak RSS (VmHWM)" "$((rss_kib / 1024)) MiB" \
      "store on disk per customer" "$((store_bytes / stored_customers)) bytes ($store_bytes over $stored_customers)"
  fi
fi

if want 7b_rss; then
  # Peak RSS at the target's population: its own `rapport up`, 2 events a customer.
  stage 7b_rss "7b. peak RSS of rapport up at ${rss_customers} customers (bench/up_rss_bench)"
  run "$build/bench/up_rss_bench" "$build/services/rapport" "$rss_customers" 2
fi

if want pg; then
  stage pg "the PostgreSQL 15 peer (at most ${pg_seconds} s)"
  pg_bin=/usr/lib/postgresql/15/bin
  if [ ! -x "$pg_bin/postgres" ]; then
    echo "installing postgresql-15 (the benchmark's own dependency)"
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get install -y -qq postgresql-15 > /dev/null
  fi
  # PostgreSQL refuses to run as root: as root the server runs as `postgres`; psql
  # connects over TCP with trust authentication, as anyone.
  as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  pg=$(mktemp -d /tmp/rapport-pg.XXXXXX)
  chmod 755 "$pg"
  [ "$(id -u)" = 0 ] && chown postgres "$pg"
  pg_started=
  if as_pg "$pg_bin/initdb" -D "$pg/db" -A trust -U bench > "$pg/initdb.log" 2>&1; then
    for _ in 1 2 3 4 5; do
      pg_port=$((20000 + RANDOM % 30000))
      if as_pg "$pg_bin/pg_ctl" -D "$pg/db" -w -t 60 -l "$pg/log" \
           -o "-k $pg -c listen_addresses=127.0.0.1 -p $pg_port -c fsync=on -c synchronous_commit=on" start > /dev/null; then
        pg_started=1; break
      fi
    done
  else
    cat "$pg/initdb.log"
  fi
  if [ -z "$pg_started" ]; then
    echo "FAILED: the PostgreSQL server did not start"; [ -f "$pg/log" ] && tail -5 "$pg/log"; failed_stages+=(postgres)
  else
    pg_sql() { psql -X -q -At -h 127.0.0.1 -p "$pg_port" -U bench -d postgres "$@"; }
    # The SQL is streamed (about 1 GB for the whole history); the server's clock starts
    # after the schema is made; the run stops after $pg_seconds.
    timeout "$pg_seconds" psql -X -q -h 127.0.0.1 -p "$pg_port" -U bench -d postgres \
      < <("$build/bench/postgres_peer" "$customers" 2> /dev/null) > /dev/null 2> "$pg/psql.err"
    pg_rc=$?
    pg_end=$(date +%s.%N)
    pg_events=$(pg_sql -c "SELECT count(*) FROM events")
    pg_view_events=$(pg_sql -c "SELECT coalesce(sum(events), 0) FROM customer_view")
    pg_begin=$(pg_sql -c "SELECT started FROM bench_clock")
    as_pg "$pg_bin/pg_ctl" -D "$pg/db" -m fast stop > /dev/null
    if [ "$pg_rc" != 0 ] && [ "$pg_rc" != 124 ]; then
      echo "FAILED: psql ($pg_rc):"; head -5 "$pg/psql.err"; failed_stages+=(postgres)
    elif [ -z "$pg_begin" ] || [ "${pg_events:-0}" = 0 ] || [ "$pg_events" != "$pg_view_events" ]; then
      echo "FAILED: the peer committed ${pg_events:-?} events, its view counts ${pg_view_events:-?}"
      failed_stages+=(postgres)
    else
      pg_seconds_taken=$(calc "$pg_end - $pg_begin")
      pg_rate=$(calc "$pg_events / $pg_seconds_taken")
      echo "RESULT postgres_peer_events $pg_events" >> "$results"
      echo "RESULT postgres_peer_seconds $pg_seconds_taken" >> "$results"
      echo "RESULT postgres_peer_events_per_s $pg_rate" >> "$results"
      printf '%-44s %14.1f %s\n' "postgres_peer_events_per_s" "$pg_rate" \
        "events/s ($pg_events events committed in $(printf '%.1f' "$pg_seconds_taken") s; upserts, transactions of 1,000)"
    fi
  fi
  rm -rf "$pg"; pg=
fi
stage_end

# Ratios against the peer and the limits.
pg_rate=$(figure postgres_peer_events_per_s)
consume=$(figure consume_only_events_per_s)
raw=$(figure rocksdb_raw_writes_per_s)
lower=
[ -n "$consume" ] && [ -n "$raw" ] && lower=$(calc "if ($consume < $raw) $consume else $raw")
put() { [ -n "$2" ] && echo "RESULT $1 $2" >> "$results"; return 0; }
put customer_view_vs_postgres "$(ratio "$(figure customer_view_events_per_s)" "$pg_rate")"
put customer_view_end_to_end_vs_postgres "$(ratio "$(figure end_to_end_customer-view_events_per_s)" "$pg_rate")"
put customer_view_share_of_limit "$(ratio "$(figure customer_view_events_per_s)" "$lower")"
for name in satisfaction loyalty churn; do
  put "projection_${name}_share_of_limit" "$(ratio "$(figure "projection_${name}_events_per_s")" "$lower")"
done
put events "$(figure rebuild_events)"
echo "RESULT bench_seconds $(calc "$(date +%s.%N) - $bench_start")" >> "$results"

json="$out/results.json"
{
  echo "{"
  awk '$1 == "RESULT" { v[$2] = $3; if (!($2 in seen)) { seen[$2] = 1; order[n++] = $2 } }
       function json(x) { if (x == "") return "null"; sub(/^\./, "0.", x); sub(/^-\./, "-0.", x); return x }
       END { for (i = 0; i < n; i++) printf "  \"%s\": %s%s\n", order[i], json(v[order[i]]), (i + 1 < n ? "," : "") }' "$results"
  echo "}"
} > "$json"

f() { local v; v=$(figure "$1"); [ -n "$v" ] && printf "$2" "$v" || echo "not measured"; }
echo; echo "== summary against the targets (docs/performance.md)"
printf '%-60s %s\n' \
  "customer view (Kafka window) vs PostgreSQL peer (>= 20x)" "$(f customer_view_vs_postgres '%.1fx')" \
  "customer view end to end vs PostgreSQL peer (>= 20x)" "$(f customer_view_end_to_end_vs_postgres '%.1fx')" \
  "customer view / min(consume-only, raw RocksDB) (>= 0.5)" "$(f customer_view_share_of_limit '%.2f')" \
  "satisfaction / loyalty / churn share of that limit (>= 0.5)" \
  "$(f projection_satisfaction_share_of_limit '%.2f') / $(f projection_loyalty_share_of_limit '%.2f') / $(f projection_churn_share_of_limit '%.2f')" \
  "rebuild (rapport replay) of $(f rebuild_events '%.0f') events (2M in < 10 s)" "$(f rebuild_seconds '%.1f s')" \
  "  its CPU time, all threads" "$(f rebuild_cpu_seconds '%.1f s')" \
  "query p99 at ${query_rate}/s while ingesting (< 2 ms)" "$(f query_p99_ms '%.2f ms')" \
  "gateway NDJSON (>= 100,000 events/s)" "$(f gateway_ndjson_events_per_s '%.0f events/s')" \
  "peak RSS of rapport up ($(printf %.0f "$(figure gateway_ndjson_customers)") customers, stage 5-7)" "$(f peak_rss_mib '%s MiB')" \
  "peak RSS of rapport up at $(f up_rss_customers '%.0f') customers (< 1 GiB at 1M)" "$(f up_peak_rss_mib '%.0f MiB')" \
  "whole run" "$(f bench_seconds '%.0f s')"
echo "figures: $json"
if [ ${#failed_stages[@]} -gt 0 ]; then
  echo "FAILED stages: ${failed_stages[*]}"
  exit 1
fi
