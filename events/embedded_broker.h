#pragma once
// The embedded single-machine Kafka: librdkafka's mock cluster, which speaks the
// real Kafka protocol over TCP on random localhost ports. Any Kafka client can use
// bootstrap_servers(). It is only a transport: it keeps the newest ~5 MiB per
// partition in memory and nothing across restarts (the event journal is the
// durable history).
//
// Lifecycle: Start, use, destroy (stops the brokers). Thread-safe for fault
// injection through cluster().

#include <memory>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>  // must follow rdkafka.h

#include "events/kafka_handles.h"
#include "events/status.h"

namespace rapport::events {

struct TopicSpec {
  std::string name;
  int partitions = 12;
  int replication_factor = 3;
};

class EmbeddedBroker {
 public:
  static Result<std::unique_ptr<EmbeddedBroker>> Start(int broker_count, const std::vector<TopicSpec>& topics);
  ~EmbeddedBroker();
  EmbeddedBroker(const EmbeddedBroker&) = delete;
  EmbeddedBroker& operator=(const EmbeddedBroker&) = delete;

  const std::string& bootstrap_servers() const { return bootstrap_servers_; }
  int broker_count() const { return broker_count_; }
  // For tests' fault injection (rd_kafka_mock_broker_set_down, push_request_errors...).
  rd_kafka_mock_cluster_t* cluster() const { return cluster_; }

  // Fault injection (tests). Broker ids are 1..broker_count().
  Status SetBrokerUp(int broker_id, bool up);
  // The next requests of `api_key` (kApiProduce, kApiFetch, ...) fail with `errors`,
  // one each, in order, on whichever broker serves them.
  void PushRequestErrors(int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors);
  Status SetPartitionLeader(const std::string& topic, int partition, int broker_id);
  static constexpr int16_t kApiProduce = 0;
  static constexpr int16_t kApiFetch = 1;
  static constexpr int16_t kApiOffsetCommit = 8;

 private:
  EmbeddedBroker() = default;

  KafkaPtr host_;  // the mock cluster lives inside this handle's instance
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_servers_;
  int broker_count_ = 0;
};

}  // namespace rapport::events
