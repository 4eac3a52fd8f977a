// events/topic_reader.h against the real mock cluster: a topic read to its end,
// fillers skipped, and a durable copy read before the broker.

#include <map>

#include <catch2/catch.hpp>

#include "events/embedded_broker.h"
#include "events/publisher.h"
#include "events/record.h"
#include "events/topic_reader.h"

namespace rapport::events {
namespace {

struct Cluster {
  std::unique_ptr<EmbeddedBroker> broker;
  KafkaSettings kafka;
  std::unique_ptr<Publisher> publisher;
};

Cluster StartCluster(const std::string& topic, int partitions) {
  Cluster cluster;
  auto broker = EmbeddedBroker::Start(1, {{topic, partitions, 1}});
  REQUIRE(broker.ok());
  cluster.broker = std::move(broker).value();
  cluster.kafka.bootstrap_servers = cluster.broker->bootstrap_servers();
  auto publisher = Publisher::Create(cluster.kafka, "topic-reader-test");
  REQUIRE(publisher.ok());
  cluster.publisher = std::move(publisher).value();
  return cluster;
}

OutgoingMessage Message(const std::string& topic, int partition, const std::string& key, const std::string& value) {
  OutgoingMessage message;
  message.topic = topic;
  message.partition = Partition(partition);
  message.key = key;
  message.value = value;
  message.headers = {{"h", "v-" + value}};
  return message;
}

OutgoingMessage Filler(const std::string& topic, int partition) {
  OutgoingMessage message;
  message.topic = topic;
  message.partition = Partition(partition);
  message.headers = {{std::string(kHeaderFiller), "1"}};
  return message;
}

std::vector<TopicRecord> ReadAll(const Cluster& cluster, const std::string& topic,
                                 const TopicHistory* history = nullptr) {
  std::vector<TopicRecord> out;
  TopicReadOptions options;
  options.timeout = std::chrono::seconds(20);
  options.history = history;
  REQUIRE(ReadTopicToEnd(cluster.kafka, topic, options, [&](TopicRecord&& record) {
            out.push_back(std::move(record));
            return Status::Ok();
          }).ok());
  return out;
}

// A copy holding fixed records and progress.
class FixedHistory final : public TopicHistory {
 public:
  std::vector<TopicRecord> records;
  std::map<int32_t, int64_t> progress;
  Result<std::map<int32_t, int64_t>> Visit(const std::string&, const TopicVisitor& visit) const override {
    for (TopicRecord record : records) RAPPORT_RETURN_IF_ERROR(visit(std::move(record)));
    return progress;
  }
};

TEST_CASE("topic reader: every partition to its end, in offset order, fillers skipped", "[events][topic_reader]") {
  Cluster cluster = StartCluster("t", 2);
  std::vector<OutgoingMessage> messages = {Message("t", 0, "a", "1"), Filler("t", 0), Message("t", 0, "b", "2"),
                                           Message("t", 1, "c", "3")};
  REQUIRE(cluster.publisher->PublishAndWait(messages).ok());
  const auto records = ReadAll(cluster, "t");
  std::map<int, std::vector<std::string>> values;
  for (const TopicRecord& record : records) values[record.partition.value()].push_back(*record.value);
  CHECK(values[0] == std::vector<std::string>{"1", "2"});
  CHECK(values[1] == std::vector<std::string>{"3"});
  for (const TopicRecord& record : records) {
    CHECK(record.topic == "t");
    CHECK(record.header("h") == "v-" + *record.value);
  }
}

TEST_CASE("topic reader: a topic without messages reads as empty, at once", "[events][topic_reader]") {
  // (The mock cluster creates a topic a metadata request names, so "missing"
  // cannot be shown here.)
  Cluster cluster = StartCluster("t", 3);
  const auto started = std::chrono::steady_clock::now();
  CHECK(ReadAll(cluster, "t").empty());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

TEST_CASE("topic reader: the durable copy first, then the broker from where the copy ends",
          "[events][topic_reader]") {
  Cluster cluster = StartCluster("t", 1);
  std::vector<OutgoingMessage> messages = {Message("t", 0, "a", "on-broker-0"), Message("t", 0, "b", "on-broker-1"),
                                           Message("t", 0, "c", "on-broker-2")};
  REQUIRE(cluster.publisher->PublishAndWait(messages).ok());
  FixedHistory history;
  TopicRecord old;
  old.topic = "t";
  old.partition = Partition(0);
  old.offset = Offset(0);
  old.key = "z";
  old.value = "only-in-the-copy";
  history.records = {old};
  history.progress = {{0, 2}};  // the copy holds the broker's offsets 0 and 1 already
  const auto records = ReadAll(cluster, "t", &history);
  REQUIRE(records.size() == 2);
  CHECK(*records[0].value == "only-in-the-copy");
  CHECK(*records[1].value == "on-broker-2");
}

TEST_CASE("topic reader: a tombstone reads as a record without a value", "[events][topic_reader]") {
  Cluster cluster = StartCluster("t", 1);
  // A null value: produced through librdkafka directly (OutgoingMessage always has bytes).
  REQUIRE(rd_kafka_producev(cluster.publisher->handle(), RD_KAFKA_V_TOPIC("t"), RD_KAFKA_V_PARTITION(0),
                            RD_KAFKA_V_KEY("k", 1), RD_KAFKA_V_VALUE(nullptr, 0), RD_KAFKA_V_END) ==
          RD_KAFKA_RESP_ERR_NO_ERROR);
  REQUIRE(cluster.publisher->Flush(std::chrono::seconds(10)).ok());
  const auto records = ReadAll(cluster, "t");
  REQUIRE(records.size() == 1);
  CHECK(records[0].key == "k");
  CHECK_FALSE(records[0].value.has_value());
}

}  // namespace
}  // namespace rapport::events
