// What the satisfaction and loyalty projections cost: the fold through each
// projection over a real RocksDB store, in batches as the runtime makes them, with
// rankings rebuilt every 24 h of event time (the default), and the time of the
// reads the query API makes: a year of day buckets, 8 week buckets, one customer.
//   satisfaction_loyalty_bench [customers] [batch]

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdio>

#include "events/time_format.h"
#include "projections/loyalty/loyalty_projection.h"
#include "projections/satisfaction/satisfaction_projection.h"
#include "projections/loyalty/loyalty_routes.h"
#include "bench/bench_util.h"
#include "services/ingest/sample_data.h"
#include "projections/satisfaction/satisfaction_routes.h"
#include "tests/support/temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace rapport;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

template <typename P>
double Fold(P& projection, projections::Store& store, const std::vector<events::Event>& history,
            size_t batch_size) {
  const auto start = Clock::now();
  for (size_t begin = 0; begin < history.size(); begin += batch_size) {
    for (size_t i = begin; i < std::min(history.size(), begin + batch_size); ++i) {
      if (!projection.Apply(history[i], {Partition(0), Offset(0)}).ok()) std::abort();
    }
    rocksdb::WriteBatch batch;
    if (!projection.Checkpoint(batch).ok() || !store.Write(batch).ok()) std::abort();
    projection.Committed();
  }
  return Seconds(start);
}

// A projection folded over the sample into its own store, kept open for the reads
// (the projection goes first, the store it writes to after it).
template <typename P>
struct FoldedProjection {
  std::unique_ptr<projections::Store> store;
  std::unique_ptr<P> projection;
};

// Folds `history` through a new `P` over a store in `dir` and prints the rate:
// `label` for people, `result` for results.json.
template <typename P>
FoldedProjection<P> FoldAndReport(const testing::TempDir& dir, const std::vector<events::Event>& history,
                                  size_t batch, const projections::DomainSettings& settings, const char* label,
                                  const char* result) {
  auto store = projections::Store::Open(dir.path() / "db", projections::OpenMode::kReadWrite);
  if (!store.ok()) std::abort();
  auto projection = P::Create(**store, settings);
  if (!projection.ok()) std::abort();
  FoldedProjection<P> folded{std::move(store).value(), std::move(projection).value()};
  const double seconds = Fold(*folded.projection, *folded.store, history, batch);
  const double rate = static_cast<double>(history.size()) / seconds;
  std::printf("  %-41s%8.0f events/s (%.1f s)\n", label, rate, seconds);
  std::printf("RESULT %s %.0f\n", result, rate);
  return folded;
}

// Mean milliseconds of `runs` calls of `read`, which must answer 200.
template <typename Read>
double TimeReads(int runs, Read read) {
  const auto start = Clock::now();
  for (int i = 0; i < runs; ++i) {
    if (read(i).status != 200) std::abort();
  }
  return Seconds(start) * 1000 / runs;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::warn);
  const auto [sample, batch, history] = bench::FoldInputsFromArgs(argc, argv);
  const projections::DomainSettings settings;
  std::printf("satisfaction and loyalty: %d customers, %zu events, batches of %zu\n", sample.customers,
              history.size(), batch);
  {
    testing::TempDir dir;
    const auto folded = FoldAndReport<projections::SatisfactionProjection>(
        dir, history, batch, settings, "satisfaction fold, rankings every 24 h:", "satisfaction_fold_events_per_s");
    projections::Store& store = *folded.store;
    projections::SatisfactionTrendQuery year;
    year.from_day = sample.start_ms / events::kMillisPerDay;
    year.to_day = *year.from_day + sample.days;
    const double year_ms =
        TimeReads(20, [&](int) { return projections::GetSatisfactionTrends(store, year, settings); });
    projections::SatisfactionTrendQuery weeks;
    weeks.weeks = true;
    const double weeks_ms =
        TimeReads(200, [&](int) { return projections::GetSatisfactionTrends(store, weeks, settings); });
    const double customer_ms = TimeReads(2000, [&](int i) {
      return projections::GetCustomerSatisfaction(store, "c-" + std::to_string(1 + i % sample.customers),
                                               settings);
    });
    std::printf("  trend, a year of day buckets:           %8.2f ms\n", year_ms);
    std::printf("  trend, the last 8 weeks:                %8.2f ms\n", weeks_ms);
    std::printf("  one customer's satisfaction:            %8.3f ms\n", customer_ms);
    std::printf("RESULT satisfaction_trend_year_ms %.2f\n", year_ms);
  }
  {
    testing::TempDir dir;
    const auto folded = FoldAndReport<projections::LoyaltyProjection>(
        dir, history, batch, settings, "loyalty fold, rankings every 24 h:", "loyalty_fold_events_per_s");
    projections::Store& store = *folded.store;
    const double customer_ms = TimeReads(2000, [&](int i) {
      return projections::GetCustomerLoyalty(store, "c-" + std::to_string(1 + i % sample.customers), settings);
    });
    std::printf("  one customer's loyalty:                 %8.3f ms\n", customer_ms);
    const double segments_ms = TimeReads(5, [&](int) { return projections::GetLoyaltySegments(store, settings); });
    std::printf("  loyalty segments (every customer):      %8.1f ms\n", segments_ms);
    std::printf("RESULT loyalty_segments_ms %.1f\n", segments_ms);
  }
  return 0;
}
