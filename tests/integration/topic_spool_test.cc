// The embedded mode's topic spool (events/topic_spool.h): rapport's writers put a
// record to an archived topic in the spool before producing it, and a restart
// publishes again exactly what the topic log does not hold.

#include <fstream>

#include <catch2/catch.hpp>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/topic_reader.h"
#include "events/topic_spool.h"
#include "services/ingest/topic_restore.h"
#include "storage/topic_log.h"
#include "tests/support/broker_with_publisher.h"
#include "tests/support/temp_dir.h"

namespace rapport {
namespace {

const std::string kAlerts = events::TopicNames{}.churn_alerts;

events::OutgoingMessage AlertMessage(const std::string& value) {
  return {kAlerts, "c-1", value, 1'767'225'600'000, {{"rapport-alert-kind", "raised"}}, Partition(0)};
}

std::vector<std::string> ValuesOn(const events::KafkaSettings& kafka, const std::string& topic) {
  std::vector<std::string> values;
  REQUIRE(events::ReadTopicToEnd(kafka, topic, {}, [&](events::TopicRecord&& record) {
    values.push_back(record.value.value_or(""));
    return Status::Ok();
  }).ok());
  return values;
}

TEST_CASE("topic spool: a spooled message reads back whole, in write order; a half-written file is dropped",
          "[durable][spool]") {
  testing::TempDir dir;
  events::TopicSpool spool(dir.path() / "spool");
  std::vector<std::string> ids;
  for (const char* value : {"first", "second", "third"}) {
    auto message = AlertMessage(value);
    auto id = spool.Write(message);
    REQUIRE(id.ok());
    CHECK(message.headers.back() == std::pair<std::string, std::string>{"rapport-spool-id", *id});
    ids.push_back(*id);
  }
  std::ofstream(dir.path() / "spool" / (ids.back() + "9.partial")) << "torn";
  auto read = spool.ReadAll();
  REQUIRE(read.ok());
  REQUIRE(read->size() == 3);
  CHECK((*read)[0].id == ids[0]);
  CHECK((*read)[0].message.value == "first");
  CHECK((*read)[2].message.value == "third");
  CHECK((*read)[1].message.partition == Partition(0));
  CHECK((*read)[1].message.headers.size() == 2);
  CHECK(!std::filesystem::exists(dir.path() / "spool" / (ids.back() + "9.partial")));
  CHECK(spool.Remove(ids[1]));
  CHECK(spool.ReadAll()->size() == 2);
}

TEST_CASE("topic spool: a publisher of the embedded mode spools archived topics only", "[durable][spool]") {
  testing::BrokerWithPublisher cluster(1, {{kAlerts, 1, 1}, {"rapport.interactions", 1, 1}}, "spool-test");
  testing::TempDir dir;
  events::KafkaSettings kafka = cluster.kafka;
  kafka.topic_spool_dir = (dir.path() / "spool").string();
  auto publisher = events::Publisher::Create(kafka, "spooling");
  REQUIRE(publisher.ok());
  std::vector<events::OutgoingMessage> messages = {AlertMessage("an alert"),
                                                   {"rapport.interactions", "c-1", "an event", 0, {}, {}}};
  REQUIRE((*publisher)->PublishAndWait(messages).ok());
  auto spooled = events::TopicSpool(kafka.topic_spool_dir).ReadAll();
  REQUIRE(spooled.ok());
  REQUIRE(spooled->size() == 1);
  CHECK(spooled->front().message.value == "an alert");
  // The record on the topic names its spool file, for the archiver.
  std::optional<std::string> header;
  REQUIRE(events::ReadTopicToEnd(cluster.kafka, kAlerts, {}, [&](events::TopicRecord&& record) {
    if (auto id = record.header(events::kHeaderSpoolId)) header = std::string(*id);
    return Status::Ok();
  }).ok());
  CHECK(header == spooled->front().id);
}

TEST_CASE("topic spool: after a kill, what the log holds is not published again, the rest is, once",
          "[durable][spool]") {
  testing::TempDir dir;
  events::TopicSpool spool(dir.path() / "spool");
  std::vector<events::OutgoingMessage> written;
  for (const char* value : {"archived", "not archived 1", "not archived 2"}) {
    written.push_back(AlertMessage(value));
    REQUIRE(spool.Write(written.back()).ok());
  }
  auto log = projections::TopicLog::Open(dir.path() / "topics", projections::OpenMode::kReadWrite);
  REQUIRE(log.ok());
  {
    // The archiver wrote the first record and its mark; the kill came before it
    // removed the file. The other two were acknowledged but never archived.
    events::TopicRecord record;
    record.topic = kAlerts;
    record.partition = Partition(0);
    record.offset = Offset(0);
    record.key = written[0].key;
    record.value = written[0].value;
    record.timestamp_ms = written[0].timestamp_ms;
    record.headers = written[0].headers;
    const std::string id = written[0].headers.back().second;
    REQUIRE((*log)->Append({&record, 1}, {}, {{{kAlerts, Partition(0)}, Offset(1)}}, {id}).ok());
    CHECK(*(*log)->HoldsSpooled(id));
  }
  // The next start: a fresh broker, the restore, then the spool.
  testing::BrokerWithPublisher cluster(1, {{kAlerts, 1, 1}}, "restore");
  auto restored = services::RestoreTopics(**log, *cluster.publisher, events::ArchivedTopics(events::TopicNames{}));
  REQUIRE(restored.ok());
  CHECK(*restored == 1);
  auto republished = services::RepublishSpooled(**log, spool, *cluster.publisher);
  REQUIRE(republished.ok());
  CHECK(*republished == 2);
  CHECK(ValuesOn(cluster.kafka, kAlerts) == std::vector<std::string>{"archived", "not archived 1", "not archived 2"});
  // The archived record's file and mark are gone; the others wait for the archiver.
  CHECK(spool.ReadAll()->size() == 2);
  CHECK(!*(*log)->HoldsSpooled(written[0].headers.back().second));
}

}  // namespace
}  // namespace rapport
