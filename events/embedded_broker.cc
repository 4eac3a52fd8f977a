#include "events/embedded_broker.h"

#include <spdlog/spdlog.h>

#include "events/kafka_settings.h"

namespace rapport::events {

Result<std::unique_ptr<EmbeddedBroker>> EmbeddedBroker::Start(int broker_count,
                                                               const std::vector<TopicSpec>& topics) {
  KafkaConfPtr conf(rd_kafka_conf_new());
  // The hosting handle never talks to a broker itself; keep it quiet.
  RAPPORT_RETURN_IF_ERROR(SetProperty(conf.get(), "log_level", "3"));
  char error[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), error, sizeof(error));
  if (raw == nullptr) return Status::Internal(std::string("embedded broker host: ") + error);
  conf.release();

  std::unique_ptr<EmbeddedBroker> broker(new EmbeddedBroker());
  broker->host_.reset(raw);
  broker->cluster_ = rd_kafka_mock_cluster_new(raw, broker_count);
  if (broker->cluster_ == nullptr) return Status::Internal("could not start the embedded Kafka cluster");
  broker->broker_count_ = broker_count;
  broker->bootstrap_servers_ = rd_kafka_mock_cluster_bootstraps(broker->cluster_);

  for (const TopicSpec& topic : topics) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(broker->cluster_, topic.name.c_str(), topic.partitions,
                                                         std::min(topic.replication_factor, broker_count));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return FromKafka(err, "create topic " + topic.name);
  }
  spdlog::info("embedded Kafka cluster: {} broker(s) at {}", broker_count, broker->bootstrap_servers_);
  return broker;
}

EmbeddedBroker::~EmbeddedBroker() {
  // The cluster must stop before the handle that hosts it.
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
}

Status EmbeddedBroker::SetBrokerUp(int broker_id, bool up) {
  rd_kafka_resp_err_t err = up ? rd_kafka_mock_broker_set_up(cluster_, broker_id)
                               : rd_kafka_mock_broker_set_down(cluster_, broker_id);
  return FromKafka(err, "embedded broker " + std::to_string(broker_id) + (up ? " up" : " down"));
}

void EmbeddedBroker::PushRequestErrors(int16_t api_key, const std::vector<rd_kafka_resp_err_t>& errors) {
  rd_kafka_mock_push_request_errors_array(cluster_, api_key, errors.size(), errors.data());
}

Status EmbeddedBroker::SetPartitionLeader(const std::string& topic, int partition, int broker_id) {
  return FromKafka(rd_kafka_mock_partition_set_leader(cluster_, topic.c_str(), partition, broker_id),
                   "leader of " + topic + "[" + std::to_string(partition) + "]");
}

}  // namespace rapport::events
