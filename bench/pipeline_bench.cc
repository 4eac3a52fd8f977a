// Publish and projection throughput through the embedded Kafka cluster, with a
// real RocksDB store: the figures `make bench` prints for the spine.
//   pipeline_bench [customers] [events]

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <thread>

#include <spdlog/spdlog.h>

#include "events/embedded_broker.h"
#include "events/publisher.h"
#include "projections/customer_view_projection.h"
#include "projections/projector.h"
#include "services/gateway.h"
#include "services/sample_data.h"
#include "tests/support/temp_dir.h"

namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

long PeakRssMib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace rapport;
  spdlog::set_level(spdlog::level::warn);
  services::SampleOptions sample;
  sample.customers = argc > 1 ? std::atoi(argv[1]) : 20'000;
  auto history = services::GenerateSampleHistory(sample);
  if (argc > 2) history.resize(std::min<size_t>(history.size(), std::strtoull(argv[2], nullptr, 10)));

  auto broker = events::EmbeddedBroker::Start(3, {{"rapport.interactions", 12, 3}, {"rapport.dead-letter", 1, 3}});
  if (!broker.ok()) return std::fprintf(stderr, "%s\n", broker.status().ToString().c_str()), 1;
  events::KafkaSettings kafka;
  kafka.bootstrap_servers = (*broker)->bootstrap_servers();
  auto publisher = events::Publisher::Create(kafka, "bench");
  if (!publisher.ok()) return 1;

  std::vector<events::OutgoingMessage> messages;
  messages.reserve(history.size());
  for (const auto& event : history) messages.push_back(services::ToKafkaMessage(event, kafka.topics.interactions));

  auto start = Clock::now();
  constexpr size_t kBatch = 10'000;
  for (size_t i = 0; i < messages.size(); i += kBatch) {
    std::span<const events::OutgoingMessage> batch(messages.data() + i, std::min(kBatch, messages.size() - i));
    if (!(*publisher)->PublishAndWait(batch).ok()) return std::fprintf(stderr, "publish failed\n"), 1;
  }
  const double publish_s = Seconds(start);

  testing::TempDir dir;
  auto store = projections::Store::Open(dir.path() / "customer-view", projections::OpenMode::kReadWrite);
  if (!store.ok()) return 1;
  projections::CustomerViewProjection projection(**store, {});
  auto projector = projections::Projector::Create(kafka, {}, **store, projection, **publisher);
  if (!projector.ok()) return 1;
  start = Clock::now();
  std::thread runner([&] { (void)(*projector)->Run(); });
  while ((*projector)->stats().applied < static_cast<int64_t>(history.size())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  const double project_s = Seconds(start);
  (*projector)->Stop();
  runner.join();

  std::printf("events                      %zu (%d customers)\n", history.size(), sample.customers);
  std::printf("publish (acks=all)          %.0f events/s\n", static_cast<double>(history.size()) / publish_s);
  std::printf("customer-view projection    %.0f events/s (consume, decode, fold, RocksDB checkpoint)\n",
              static_cast<double>(history.size()) / project_s);
  std::printf("peak RSS                    %ld MiB\n", PeakRssMib());
  return 0;
}
