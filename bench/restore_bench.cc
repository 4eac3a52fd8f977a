// The restore at `rapport up` start in embedded mode: N journaled interactions
// (RestoreIntoBroker) and M alerts from the topic log (RestoreTopics) re-published
// into a fresh embedded broker. Prints "RESULT restore_journal_seconds ..." and
// "RESULT restore_alerts_seconds ...".
//
//   restore_bench [interactions (default 2000000)] [alerts (default 100000)]

#include <cstdio>
#include <cstdlib>
#include <string>

#include "bench/bench_util.h"
#include "events/embedded_broker.h"
#include "events/publisher.h"
#include "events/wire_codec.h"
#include "projections/churn/churn_alert.h"
#include "services/ingest/journal_restore.h"
#include "services/ingest/topic_restore.h"
#include "storage/journal.h"
#include "storage/topic_log.h"

namespace rapport::bench {
namespace {

constexpr int kPartitions = 12;

int Fail(const Status& status) {
  std::fprintf(stderr, "restore_bench: %s\n", status.ToString().c_str());
  return 1;
}

Status FillJournal(projections::Journal& journal, int64_t count) {
  std::vector<int64_t> next(kPartitions, 0);
  std::vector<projections::JournalEntry> batch;
  for (int64_t i = 0; i < count; ++i) {
    events::Event event;
    event.event_id = EventId("e-" + std::to_string(i));
    event.customer_id = CustomerId("c-" + std::to_string(i % 200'000));
    event.occurred_at_ms = 1'735'689'600'000 + i * 1000;
    event.recorded_at_ms = event.occurred_at_ms;
    event.channel = events::Channel::kWeb;
    event.payload = events::Purchase{"o-" + std::to_string(i), 1000 + i % 5000, 0, "EUR", 1, "shoes"};
    const int32_t p = static_cast<int32_t>((i % 200'000) % kPartitions);
    batch.push_back({Partition(p), Offset(next[p]++), event.customer_id.str(), events::EncodeWire(event),
                     event.occurred_at_ms, "purchase"});
    if (batch.size() == 10'000 || i + 1 == count) {
      RAPPORT_RETURN_IF_ERROR(journal.Append(batch, false));
      batch.clear();
    }
  }
  return Status::Ok();
}

Status FillAlerts(projections::TopicLog& log, const std::string& topic, int64_t count) {
  std::vector<int64_t> next(kPartitions, 0);
  std::vector<events::TopicRecord> batch;
  std::vector<events::PartitionOffset> progress;
  for (int64_t i = 0; i < count; ++i) {
    projections::AlertEvent alert;
    alert.alert_id = "al-" + std::to_string(i);
    alert.customer_id = "c-" + std::to_string(i % 50'000);
    alert.at_ms = 1'735'689'600'000 + i;
    alert.triggering_event_id = "e-" + std::to_string(i);
    alert.tier = projections::Tier::kB;
    alert.risk_score = 0.6;
    alert.action = "call them";
    const int32_t p = static_cast<int32_t>(i % kPartitions);
    events::TopicRecord record;
    record.topic = topic;
    record.partition = Partition(p);
    record.offset = Offset(next[p]++);
    record.key = alert.customer_id;
    record.value = projections::EncodeAlertWire(alert);
    record.timestamp_ms = alert.at_ms;
    batch.push_back(std::move(record));
    if (batch.size() == 10'000 || i + 1 == count) {
      progress.clear();
      for (int32_t q = 0; q < kPartitions; ++q) progress.push_back({{topic, Partition(q)}, Offset(next[q])});
      RAPPORT_RETURN_IF_ERROR(log.Append(batch, {}, progress));
      batch.clear();
    }
  }
  return Status::Ok();
}

int Main(int argc, char** argv) {
  const int64_t interactions = argc > 1 ? std::atoll(argv[1]) : 2'000'000;
  const int64_t alerts = argc > 2 ? std::atoll(argv[2]) : 100'000;
  const auto dir = std::filesystem::temp_directory_path() / ("restore-bench-" + std::to_string(getpid()));
  events::TopicNames names;
  {
    auto journal = projections::Journal::Open(dir / "journal", projections::OpenMode::kReadWrite);
    if (!journal.ok()) return Fail(journal.status());
    auto log = projections::TopicLog::Open(dir / "topics", projections::OpenMode::kReadWrite);
    if (!log.ok()) return Fail(log.status());
    auto start = Clock::now();
    if (Status s = FillJournal(**journal, interactions); !s.ok()) return Fail(s);
    if (Status s = FillAlerts(**log, names.churn_alerts, alerts); !s.ok()) return Fail(s);
    std::printf("filled %lld interactions and %lld alerts in %.1f s\n", static_cast<long long>(interactions),
                static_cast<long long>(alerts), SecondsSince(start));
  }
  std::vector<events::TopicSpec> topics;
  for (const std::string& topic : {names.interactions, names.churn_alerts, names.dead_letter, names.model_parameters}) {
    topics.push_back({topic, kPartitions, 3});
  }
  topics.push_back({names.instances, 1, 3});
  auto broker = events::EmbeddedBroker::Start(3, topics);
  if (!broker.ok()) return Fail(broker.status());
  events::KafkaSettings kafka;
  kafka.bootstrap_servers = (*broker)->bootstrap_servers();
  auto publisher = events::Publisher::Create(kafka, "restore-bench");
  if (!publisher.ok()) return Fail(publisher.status());

  auto start = Clock::now();
  auto journal = projections::Journal::Open(dir / "journal", projections::OpenMode::kReadWrite);
  if (!journal.ok()) return Fail(journal.status());
  auto restored = services::RestoreIntoBroker(**journal, **publisher, names.interactions);
  if (!restored.ok()) return Fail(restored.status());
  const double journal_seconds = SecondsSince(start);
  start = Clock::now();
  auto log = projections::TopicLog::Open(dir / "topics", projections::OpenMode::kReadWrite);
  if (!log.ok()) return Fail(log.status());
  auto topics_restored = services::RestoreTopics(**log, **publisher, events::ArchivedTopics(names));
  if (!topics_restored.ok()) return Fail(topics_restored.status());
  const double alerts_seconds = SecondsSince(start);
  std::printf("restored %lld interactions in %.2f s, %lld alerts in %.2f s\n", static_cast<long long>(*restored),
              journal_seconds, static_cast<long long>(*topics_restored), alerts_seconds);
  std::printf("RESULT restore_journal_seconds %.3f\nRESULT restore_alerts_seconds %.3f\n", journal_seconds,
              alerts_seconds);
  journal->reset();
  log->reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return 0;
}

}  // namespace
}  // namespace rapport::bench

int main(int argc, char** argv) { return rapport::bench::Main(argc, argv); }
