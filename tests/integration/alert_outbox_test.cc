// The churn alert outbox with a real cluster and a real store: alerts are delivered
// in sequence order, each once, and a drain after delivery starts where the last
// one stopped instead of stepping over the tombstones of everything delivered.

#include <map>
#include <sstream>

#include <catch2/catch.hpp>
#include <rocksdb/perf_context.h>
#include <rocksdb/perf_level.h>

#include "events/embedded_broker.h"
#include "events/kafka_handles.h"
#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/topic_reader.h"
#include "projections/churn/churn_alert.h"
#include "projections/churn/churn_projection.h"
#include "storage/store.h"
#include "services/alerts/alert_follow.h"
#include "services/alerts/alert_identity.h"
#include "services/alerts/alert_outbox.h"
#include "tests/support/broker_with_publisher.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

using projections::Family;

// Writes alert `sequence` into the log and the outbox, as the churn projection does.
void PlantAlert(projections::Store& store, int64_t sequence) {
  projections::AlertEvent alert;
  alert.alert_id = "al-" + std::to_string(sequence);
  alert.customer_id = "c-" + std::to_string(sequence % 7);
  alert.at_ms = 1'772'359'200'000 + sequence;
  alert.sequence = sequence;
  rocksdb::WriteBatch batch;
  batch.Put(store.handle(Family::kIndex), projections::AlertLogKey(sequence), projections::EncodeAlertWire(alert));
  batch.Put(store.handle(Family::kIndex), projections::OutboxKey(sequence), alert.customer_id);
  REQUIRE(store.Write(batch).ok());
}

// Messages on partition 0 of `topic` (its high watermark).
int64_t MessagesOn(const events::KafkaSettings& kafka, const std::string& topic) {
  auto conf = events::MakeConsumerConf(kafka, "alert-outbox-test-reader", "alert-outbox-test-reader");
  REQUIRE(conf.ok());
  char error[512];
  events::KafkaPtr reader(rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), error, sizeof(error)));
  REQUIRE(reader);
  int64_t low = 0, high = 0;
  REQUIRE(rd_kafka_query_watermark_offsets(reader.get(), topic.c_str(), 0, &low, &high, 10'000) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  return high;
}

// Drains until an empty drain; returns the alerts published.
int DrainAll(AlertOutbox& outbox) {
  int total = 0;
  for (int published = -1; published != 0;) {
    REQUIRE(outbox.DrainOnce(&published).ok());
    total += published;
  }
  return total;
}

// Deleted entries a DrainOnce stepped over (RocksDB's per-thread perf counters).
uint64_t TombstonesSkippedByDrain(AlertOutbox& outbox) {
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableCount);
  rocksdb::get_perf_context()->Reset();
  int published = 0;
  REQUIRE(outbox.DrainOnce(&published).ok());
  const uint64_t skipped = rocksdb::get_perf_context()->internal_delete_skipped_count;
  rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable);
  CHECK(published == 0);
  return skipped;
}

TEST_CASE("alert outbox: every alert is delivered once, and a later drain skips no delivered entry", "[churn]") {
  const std::string topic = "rapport.churn-alerts";
  testing::BrokerWithPublisher cluster(1, {{topic, 1, 1}}, "alert-outbox-test");
  events::Publisher& publisher = *cluster.publisher;
  testing::TempDir dir;
  auto store = projections::Store::Open(dir.path() / "churn", projections::OpenMode::kReadWrite);
  REQUIRE(store.ok());

  AlertOutbox outbox(**store, publisher, topic, /*batch=*/100);
  for (int64_t sequence = 1; sequence <= 1000; ++sequence) PlantAlert(**store, sequence);
  CHECK(DrainAll(outbox) == 1000);
  // The 1,000 delivered entries are tombstones now, not yet compacted away.
  CHECK(TombstonesSkippedByDrain(outbox) == 0);

  // Alerts released after the drain are delivered, and only they.
  for (int64_t sequence = 1001; sequence <= 1050; ++sequence) PlantAlert(**store, sequence);
  CHECK(DrainAll(outbox) == 50);
  CHECK(TombstonesSkippedByDrain(outbox) == 0);

  // A restarted outbox starts from the outbox's beginning: it steps over what was
  // delivered once, and finds nothing to send again.
  AlertOutbox restarted(**store, publisher, topic, 100);
  int published = -1;
  REQUIRE(restarted.DrainOnce(&published).ok());
  CHECK(published == 0);
  CHECK(MessagesOn(cluster.kafka, topic) == 1050);
}

TEST_CASE("alert outbox: a restart between Kafka's acknowledgement and the delete repeats no alert",
          "[churn][durable]") {
  const std::string topic = "rapport.churn-alerts";
  testing::BrokerWithPublisher cluster(1, {{topic, 1, 1}}, "alert-outbox-test");
  testing::TempDir dir;
  auto store = projections::Store::Open(dir.path() / "churn", projections::OpenMode::kReadWrite);
  REQUIRE(store.ok());
  for (int64_t sequence = 1; sequence <= 30; ++sequence) PlantAlert(**store, sequence);
  {
    // The outbox of the process killed: its first 20 alerts acknowledged by Kafka,
    // the kill before the delete of their entries.
    std::vector<events::OutgoingMessage> sent;
    for (int64_t sequence = 1; sequence <= 20; ++sequence) {
      auto bytes = (*store)->Get(Family::kIndex, projections::AlertLogKey(sequence));
      REQUIRE((bytes.ok() && bytes->has_value()));
      sent.push_back({topic, "c-" + std::to_string(sequence % 7), **bytes, 0, {}, {}});
    }
    REQUIRE(cluster.publisher->PublishAndWait(sent).ok());
  }
  AlertOutbox restarted(**store, *cluster.publisher, topic, /*batch=*/7,
                        AlertOutbox::TopicReader{cluster.kafka, nullptr});
  CHECK(DrainAll(restarted) == 10);
  AlertOutbox again(**store, *cluster.publisher, topic, 7, AlertOutbox::TopicReader{cluster.kafka, nullptr});
  CHECK(DrainAll(again) == 0);

  std::map<std::string, int> copies;
  REQUIRE(events::ReadTopicToEnd(cluster.kafka, topic, {}, [&](events::TopicRecord&& record) {
    auto alert = projections::DecodeAlertWire(record.value.value_or(""));
    REQUIRE(alert.ok());
    ++copies[AlertIdentity(*alert)];
    return Status::Ok();
  }).ok());
  CHECK(copies.size() == 30);
  for (const auto& [identity, count] : copies) {
    INFO(identity);
    CHECK(count == 1);
  }
}

TEST_CASE("rapport alerts: an alert repeated on the topic prints once", "[churn][durable]") {
  testing::BrokerWithPublisher cluster(1, {{"rapport.churn-alerts", 1, 1}}, "alert-follow-test");
  testing::TempDir dir;
  auto store = projections::Store::Open(dir.path() / "churn", projections::OpenMode::kReadWrite);
  REQUIRE(store.ok());
  std::vector<events::OutgoingMessage> sent;
  for (int64_t sequence : {1, 2, 1, 3, 2}) {  // 1 and 2 repeated, as a client retrying a batch would
    PlantAlert(**store, sequence);
    auto bytes = (*store)->Get(Family::kIndex, projections::AlertLogKey(sequence));
    REQUIRE((bytes.ok() && bytes->has_value()));
    sent.push_back({"rapport.churn-alerts", "c-1", **bytes, 0, {}, {}});
  }
  REQUIRE(cluster.publisher->PublishAndWait(sent).ok());
  std::ostringstream out;
  std::atomic<bool> stop{false};
  REQUIRE(FollowAlerts(cluster.kafka, {.json = true}, out, stop).ok());
  std::vector<std::string> lines;
  std::istringstream in(out.str());
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  CHECK(lines.size() == 3);
}

}  // namespace
}  // namespace rapport::services
