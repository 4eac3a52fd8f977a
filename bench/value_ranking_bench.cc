// What the value rankings cost the customer-view projection: the fold through the
// projection over a real RocksDB store, in batches as the runtime makes them, with
// rankings rebuilt every `ranking_refresh_hours` of event time (the default, 24)
// and with rebuilds pushed out of the run, and the time of one rebuild.
//   value_ranking_bench [customers] [batch]

#include <chrono>
#include <cstdio>
#include <random>

#include <spdlog/spdlog.h>

#include "projections/customer_view/customer_view_projection.h"
#include "projections/customer_view/customer_view_routes.h"
#include "bench/bench_util.h"
#include "services/ingest/sample_data.h"
#include "tests/support/temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace rapport;

double Seconds(Clock::time_point since) { return std::chrono::duration<double>(Clock::now() - since).count(); }

struct Run {
  double seconds = 0;
  int rebuilds = 0;
};

Run Fold(const std::vector<events::Event>& history, size_t batch_size, int refresh_hours, int customers) {
  testing::TempDir dir;
  auto store = projections::Store::Open(dir.path() / "db", projections::OpenMode::kReadWrite);
  if (!store.ok()) std::abort();
  projections::DomainSettings settings;
  settings.value.ranking_refresh_hours = refresh_hours;
  auto projection = projections::CustomerViewProjection::Create(**store, settings);
  if (!projection.ok()) std::abort();
  Run run;
  int64_t last_as_of = (*projection)->ranking_as_of_ms();
  const auto start = Clock::now();
  for (size_t begin = 0; begin < history.size(); begin += batch_size) {
    for (size_t i = begin; i < std::min(history.size(), begin + batch_size); ++i) {
      if (!(*projection)->Apply(history[i], {Partition(0), Offset(0)}).ok()) std::abort();
    }
    rocksdb::WriteBatch batch;
    if (!(*projection)->Checkpoint(batch).ok() || !(*store)->Write(batch).ok()) std::abort();
    (*projection)->Committed();
    if ((*projection)->ranking_as_of_ms() != last_as_of) ++run.rebuilds;
    last_as_of = (*projection)->ranking_as_of_ms();
  }
  run.seconds = Seconds(start);
  const auto rebuild_start = Clock::now();
  if (!(*projection)->RefreshRanking().ok()) std::abort();
  std::printf("  one rebuild over the final store:      %8.1f ms\n", Seconds(rebuild_start) * 1000);
  // What GET /v1/customers/{id} costs without HTTP or contention: the handler itself
  // (read, decode, JSON), for random customers of the final store. Beside stage 6's
  // percentiles it tells the query's own cost from the waiting.
  constexpr int kReads = 20'000;
  std::mt19937 random(7);
  size_t bytes = 0;
  const auto read_start = Clock::now();
  for (int i = 0; i < kReads; ++i) {
    const auto id = "c-" + std::to_string(1 + random() % static_cast<unsigned>(std::max(1, customers)));
    bytes += projections::GetCustomerWithValue(**store, id, settings, nullptr).body.size();
  }
  const double read_us = Seconds(read_start) * 1e6 / kReads;
  std::printf("  one customer's view (the GET handler): %8.1f us (%zu bytes an answer)\n", read_us, bytes / kReads);
  std::printf("RESULT query_handler_us %.1f\n", read_us);
  return run;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  const auto [sample, batch, history] = bench::FoldInputsFromArgs(argc, argv);
  std::printf("value rankings: %d customers, %zu events over %d days, batches of %zu\n", sample.customers,
              history.size(), sample.days, batch);
  const Run daily = Fold(history, batch, 24, sample.customers);
  std::printf("  fold, rankings every 24 h event time:  %8.0f events/s (%d rebuilds, %.1f s)\n",
              static_cast<double>(history.size()) / daily.seconds, daily.rebuilds, daily.seconds);
  const Run never = Fold(history, batch, 1'000'000, sample.customers);
  std::printf("  fold, no rebuild during the run:       %8.0f events/s (%d rebuilds, %.1f s)\n",
              static_cast<double>(history.size()) / never.seconds, never.rebuilds, never.seconds);
  return 0;
}
