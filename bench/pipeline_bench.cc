// Kafka-side figures, through the embedded broker (librdkafka's mock cluster):
//   A. the limits and the projections on a window that fits the broker's retention
//      (~5 MiB a partition): publish it, then read it with a consumer that discards
//      messages (the consume-only limit), then with each projector from scratch;
//   B. end to end on the whole history: the platform's gateway publishes (journal
//      included, as in `rapport up`) while every projector runs; prints the lag curve
//      (also as the figure `end_to_end_lag_curve`, a JSON object) and the rate at
//      which each projection kept up.
// Bounded in time: the consume-only reads and the window projectors give up after
// BENCH_WINDOW_SECONDS (default 120) and report the rate so far; the end-to-end
// publisher stops after BENCH_E2E_SECONDS (default: no limit) and every projection
// gets BENCH_E2E_DRAIN_SECONDS (default 120) after that to catch up, else its rate
// so far is reported with `end_to_end_<name>_caught_up` 0. BENCH_PROJECTIONS (names,
// space-separated) limits the window's projectors to those, e.g. under a profiler.
//   pipeline_bench [customers] [window_events]

#include <atomic>
#include <cmath>
#include <map>
#include <optional>
#include <thread>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "bench/bench_util.h"
#include "events/consumer.h"
#include "events/embedded_broker.h"
#include "events/publisher.h"
#include "projections/runtime/projector.h"
#include "services/ingest/gateway.h"
#include "services/platform/platform.h"
#include "services/platform/projection_registry.h"
#include "services/ingest/sample_data.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace rapport;

// Starts every assigned partition at offset 0.
class FromStart final : public events::RebalanceListener {
 public:
  std::vector<std::optional<Offset>> OnAssigned(const std::vector<events::TopicPartition>& partitions) override {
    return std::vector<std::optional<Offset>>(partitions.size(), Offset(0));
  }
  void OnRevoked(const std::vector<events::TopicPartition>&) override {}
};

double WindowSeconds() { return bench::EnvNumber("BENCH_WINDOW_SECONDS", 120); }

Result<double> ConsumeOnlyRate(const events::KafkaSettings& kafka, size_t expected, int round) {
  FromStart listener;
  auto consumer = events::Consumer::Create(kafka, "bench.consume-only." + std::to_string(round), "bench", &listener);
  if (!consumer.ok()) return consumer.status();
  RAPPORT_RETURN_IF_ERROR((*consumer)->Subscribe({kafka.topics.interactions}));
  size_t seen = 0;
  bench::Clock::time_point start;
  const auto deadline = bench::Clock::now() + std::chrono::duration<double>(WindowSeconds());
  while (seen < expected) {
    if (bench::Clock::now() > deadline) {
      (void)(*consumer)->Close();
      return Status::Unavailable("consume-only read " + std::to_string(seen) + " of " + std::to_string(expected) +
                                 " messages in " + std::to_string(WindowSeconds()) + " s");
    }
    auto messages = (*consumer)->Poll(10'000, std::chrono::milliseconds(100));
    for (const auto& message : messages) {
      if (!message.error()) {
        if (seen == 0) start = bench::Clock::now();  // from the first message: group join excluded
        ++seen;
      }
    }
  }
  const double seconds = bench::SecondsSince(start);
  (void)(*consumer)->Close();
  return static_cast<double>(expected) / seconds;
}

Result<double> ProjectionRate(const events::KafkaSettings& kafka, const std::string& name,
                              const std::filesystem::path& dir, events::Publisher& dead_letters, size_t expected) {
  auto store = projections::Store::Open(dir, projections::OpenMode::kReadWrite);
  if (!store.ok()) return store.status();
  auto projection = services::MakeProjection(name, **store, projections::DomainSettings{});
  if (!projection.ok()) return projection.status();
  projections::ProjectorOptions options;
  options.group_id = "bench." + dir.filename().string();
  auto projector = projections::Projector::Create(kafka, options, **store, **projection, dead_letters);
  if (!projector.ok()) return projector.status();
  std::thread runner([&] { (void)(*projector)->Run(); });
  // Every message ends applied, a duplicate or a dead letter.
  auto processed = [&] {
    const auto stats = (*projector)->stats();
    return stats.applied + stats.duplicates + stats.dead_lettered;
  };
  const auto deadline = bench::Clock::now() + std::chrono::duration<double>(WindowSeconds());
  while (processed() == 0 && bench::Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  const auto start = bench::Clock::now();
  const int64_t first = processed();
  while (processed() < static_cast<int64_t>(expected) && bench::Clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  const double seconds = bench::SecondsSince(start);
  const int64_t last = processed();
  (*projector)->Stop();
  runner.join();
  if (last == 0) return Status::Unavailable(name + " processed nothing in " + std::to_string(WindowSeconds()) + " s");
  if (last < static_cast<int64_t>(expected)) {
    std::printf("  %s: %lld of %zu events in the time limit; the rate is over those\n", name.c_str(),
                static_cast<long long>(last), expected);
  }
  return static_cast<double>(last - first) / seconds;
}

int RunWindow(const std::vector<events::Event>& history, size_t window, const testing::TempDir& dir) {
  auto broker = events::EmbeddedBroker::Start(3, {{"rapport.interactions", 12, 3}, {"rapport.dead-letter", 1, 3}});
  if (!broker.ok()) return 1;
  events::KafkaSettings kafka;
  kafka.bootstrap_servers = (*broker)->bootstrap_servers();
  kafka.session_timeout_ms = 6000;
  auto publisher = events::Publisher::Create(kafka, "bench");
  if (!publisher.ok()) return 1;
  std::vector<events::OutgoingMessage> messages;
  for (size_t i = 0; i < window; ++i) messages.push_back(services::ToKafkaMessage(history[i], kafka.topics.interactions));
  // The first batch pays for connections and the idempotent producer's id: not timed.
  constexpr size_t kWarmUp = 100;
  if (!(*publisher)->PublishAndWait(std::span(messages.data(), kWarmUp)).ok()) return 1;
  auto start = bench::Clock::now();
  for (size_t i = kWarmUp; i < messages.size(); i += 10'000) {
    std::span<const events::OutgoingMessage> batch(messages.data() + i, std::min<size_t>(10'000, messages.size() - i));
    if (!(*publisher)->PublishAndWait(batch).ok()) return std::fprintf(stderr, "publish failed\n"), 1;
  }
  bench::Result("publish_events_per_s", static_cast<double>(window - kWarmUp) / bench::SecondsSince(start), "events/s",
                "idempotent producer, acks=all, batches of 10,000");

  std::vector<double> consume_rates;
  for (int round = 0; round < bench::Repeats(); ++round) {
    auto rate = ConsumeOnlyRate(kafka, window, round);
    if (!rate.ok()) return std::fprintf(stderr, "%s\n", rate.status().ToString().c_str()), 1;
    consume_rates.push_back(*rate);
  }
  const double consume_only = bench::Median(consume_rates);
  bench::Result("consume_only_events_per_s", consume_only, "events/s", "librdkafka consumer discarding messages");

  // BENCH_PROJECTIONS="customer-view churn" limits the window to those (profiling).
  const char* only = std::getenv("BENCH_PROJECTIONS");
  for (const std::string& name : services::ProjectionNames()) {
    if (only != nullptr && std::string_view(only).find(name) == std::string_view::npos) continue;
    std::vector<double> rates;
    // The headline (customer view) is a median; the others are single runs.
    const int repeats = name == "customer-view" ? bench::Repeats() : bench::ExpensiveRepeats();
    for (int round = 0; round < repeats; ++round) {
      auto rate = ProjectionRate(kafka, name, dir.path() / ("window-" + name + "-" + std::to_string(round)),
                                 **publisher, window);
      if (!rate.ok()) return std::fprintf(stderr, "%s\n", rate.status().ToString().c_str()), 1;
      rates.push_back(*rate);
    }
    const double rate = bench::Median(rates);
    const std::string key = name == "customer-view" ? "customer_view_events_per_s" : "projection_" + name + "_events_per_s";
    bench::Result(key, rate, "events/s", "consume + verify + decode + dedupe + fold + RocksDB checkpoint");
    bench::Result("projection_" + name + "_share_of_consume_only", rate / consume_only, "fraction", "");
  }
  return 0;
}

int RunEndToEnd(const std::vector<events::Event>& history, const testing::TempDir& dir) {
  services::Config config;
  config.data_dir = (dir.path() / "platform").string();
  config.listen = "127.0.0.1:0";
  config.kafka.session_timeout_ms = 6000;
  services::Roles roles{.embedded_broker = true, .gateway = true, .projections = services::ProjectionNames()};
  auto platform = services::Platform::Start(config, roles);
  if (!platform.ok()) return std::fprintf(stderr, "%s\n", platform.status().ToString().c_str()), 1;
  while (!(*platform)->ready()) std::this_thread::sleep_for(std::chrono::milliseconds(20));

  const double publish_budget = bench::EnvNumber("BENCH_E2E_SECONDS", 0);  // 0: the whole history
  const double drain_budget = bench::EnvNumber("BENCH_E2E_DRAIN_SECONDS", 120);
  std::atomic<size_t> published{0};
  std::atomic<bool> publishing{true};
  std::atomic<double> publish_seconds{0};
  const auto start = bench::Clock::now();
  std::thread producer([&] {
    for (size_t i = 0; i < history.size(); i += 10'000) {
      if (publish_budget > 0 && bench::SecondsSince(start) > publish_budget) break;
      std::vector<events::Event> batch(history.begin() + static_cast<ptrdiff_t>(i),
                                       history.begin() + static_cast<ptrdiff_t>(std::min(history.size(), i + 10'000)));
      if (!(*platform)->gateway()->Publish(batch).ok()) std::fprintf(stderr, "publish failed\n"), std::exit(1);
      published += batch.size();
    }
    publish_seconds = bench::SecondsSince(start);
    publishing = false;
  });
  auto applied_by = [&] {
    std::map<std::string, int64_t> out;
    const nlohmann::json readiness = (*platform)->ReadinessJson();  // outlives the loop
    for (const auto& [name, stats] : readiness["projectors"].items()) {
      out[name] = stats["applied"].get<int64_t>() + stats["duplicates"].get<int64_t>() +
                  stats["dead_lettered"].get<int64_t>();
    }
    return out;
  };
  std::printf("lag curve (seconds: published, then lag per projection)\n");
  nlohmann::json curve = {{"seconds", nlohmann::json::array()}, {"published", nlohmann::json::array()},
                          {"lag", nlohmann::json::object()}};
  std::map<std::string, double> done_at;
  std::map<std::string, int64_t> last_applied;
  std::optional<bench::Clock::time_point> drain_deadline;
  auto next_sample = start;
  while (done_at.size() < services::ProjectionNames().size()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const bool finished_publishing = !publishing.load();
    const auto total = static_cast<int64_t>(published.load());
    if (finished_publishing && !drain_deadline) {
      drain_deadline = bench::Clock::now() + std::chrono::duration_cast<bench::Clock::duration>(
                                                  std::chrono::duration<double>(drain_budget));
    }
    last_applied = applied_by();
    for (const auto& [name, count] : last_applied) {
      if (finished_publishing && count >= total && !done_at.contains(name)) done_at[name] = bench::SecondsSince(start);
    }
    if (bench::Clock::now() >= next_sample) {
      const double t = bench::SecondsSince(start);
      std::printf("  %6.1f s  published %9lld", t, static_cast<long long>(total));
      curve["seconds"].push_back(std::round(t * 10) / 10);
      curve["published"].push_back(total);
      for (const auto& [name, count] : last_applied) {
        std::printf("  %s lag %lld", name.c_str(), static_cast<long long>(total - count));
        curve["lag"][name].push_back(total - count);
      }
      std::printf("\n");
      std::fflush(stdout);
      next_sample += std::chrono::seconds(1);
    }
    if (drain_deadline && bench::Clock::now() > *drain_deadline) break;
  }
  producer.join();
  const double n = static_cast<double>(published.load());
  bench::Result("end_to_end_events", n, "events", publish_budget > 0 && n < static_cast<double>(history.size())
                                                      ? "published within BENCH_E2E_SECONDS"
                                                      : "the whole history");
  bench::Result("end_to_end_publish_events_per_s", n / publish_seconds.load(), "events/s",
                "gateway publish + journal (fsync) while the projectors run");
  const double elapsed = bench::SecondsSince(start);
  for (const std::string& name : services::ProjectionNames()) {
    const bool caught_up = done_at.contains(name);
    const double rate = caught_up ? n / done_at[name] : static_cast<double>(last_applied[name]) / elapsed;
    bench::Result("end_to_end_" + name + "_events_per_s", rate, "events/s",
                  caught_up ? "gateway publish + journal, projector keeping up"
                            : "did NOT catch up within BENCH_E2E_DRAIN_SECONDS: applied so far / elapsed");
    bench::Result("end_to_end_" + name + "_caught_up", caught_up ? 1 : 0, "", "");
  }
  std::printf("RESULT end_to_end_lag_curve %s\n", curve.dump().c_str());
  std::fflush(stdout);
  (*platform)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  spdlog::set_level(spdlog::level::from_str(std::getenv("BENCH_LOG") ? std::getenv("BENCH_LOG") : "err"));
  services::SampleOptions sample;
  sample.customers = argc > 1 ? std::atoi(argv[1]) : 20'000;
  const auto history = bench::SampleHistory(sample);
  // ~180-byte envelopes: 200,000 events is about 3 MiB a partition over 12.
  const size_t window = std::min<size_t>(history.size(), argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200'000);
  std::printf("pipeline: %zu events, %d customers, window %zu\n", history.size(), sample.customers, window);
  testing::TempDir dir;
  if (int failed = RunWindow(history, window, dir)) return failed;
  if (int failed = RunEndToEnd(history, dir)) return failed;
  bench::Result("customers", sample.customers, "", "");
  bench::Result("events", static_cast<double>(history.size()), "", "");
  bench::Result("bench_peak_rss_mib", static_cast<double>(bench::PeakRssMib()), "MiB", "this benchmark process");
  return 0;
}
