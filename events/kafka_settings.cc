#include "events/kafka_settings.h"

#include <initializer_list>
#include <utility>

#include <spdlog/spdlog.h>

namespace rapport::events {

std::vector<ArchivedTopic> ArchivedTopics(const TopicNames& topics) {
  return {
      {topics.churn_alerts, false}, {topics.dead_letter, false}, {topics.model_parameters, true},
      {topics.instances, true},     {topics.credentials, true},
  };
}
namespace {

// librdkafka's own log lines go through spdlog, so they obey the same level.
void LogCallback(const rd_kafka_t* /*rk*/, int level, const char* facility, const char* message) {
  if (level <= 3) {
    spdlog::error("kafka {}: {}", facility, message);
  } else if (level <= 4) {
    spdlog::warn("kafka {}: {}", facility, message);
  } else {
    spdlog::debug("kafka {}: {}", facility, message);
  }
}

Result<KafkaConfPtr> BaseConf(const KafkaSettings& settings, const std::string& client_id) {
  if (settings.bootstrap_servers.empty()) {
    return Status::InvalidArgument("brokers", "no Kafka bootstrap servers configured");
  }
  KafkaConfPtr conf(rd_kafka_conf_new());
  RAPPORT_RETURN_IF_ERROR(SetProperty(conf.get(), "bootstrap.servers", settings.bootstrap_servers));
  RAPPORT_RETURN_IF_ERROR(SetProperty(conf.get(), "client.id", client_id));
  rd_kafka_conf_set_log_cb(conf.get(), LogCallback);
  return conf;
}

Status ApplyClientProperties(rd_kafka_conf_t* conf, const KafkaSettings& settings) {
  for (const auto& [name, value] : settings.client_properties) {
    RAPPORT_RETURN_IF_ERROR(SetProperty(conf, name, value));
  }
  return Status::Ok();
}

}  // namespace

Status FromKafka(rd_kafka_resp_err_t err, std::string_view context) {
  if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return Status::Ok();
  std::string message = std::string(context) + ": " + rd_kafka_err2str(err);
  switch (err) {
    case RD_KAFKA_RESP_ERR__QUEUE_FULL: return Status::ResourceExhausted(message);
    case RD_KAFKA_RESP_ERR__INVALID_ARG:
    case RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE:
    case RD_KAFKA_RESP_ERR_INVALID_RECORD: return Status::InvalidArgument("", message);
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART: return Status::NotFound(message);
    case RD_KAFKA_RESP_ERR__MSG_TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS:
    case RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS_AFTER_APPEND:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT: return Status::Unavailable(message);
    default: return Status::Internal(message);
  }
}

Status SetProperty(rd_kafka_conf_t* conf, const std::string& name, const std::string& value) {
  char error[512];
  if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), error, sizeof(error)) != RD_KAFKA_CONF_OK) {
    return Status::InvalidArgument(name, error);
  }
  return Status::Ok();
}

namespace {

// Sets each property in order; the first librdkafka refuses is the error.
Status SetProperties(rd_kafka_conf_t* conf,
                     std::initializer_list<std::pair<const char*, std::string>> properties) {
  for (const auto& [name, value] : properties) RAPPORT_RETURN_IF_ERROR(SetProperty(conf, name, value));
  return Status::Ok();
}

}  // namespace

Result<KafkaConfPtr> MakeProducerConf(const KafkaSettings& settings, const std::string& client_id) {
  auto conf = BaseConf(settings, client_id);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_t* c = conf->get();
  RAPPORT_RETURN_IF_ERROR(
      SetProperties(c, {{"enable.idempotence", "true"},
                        {"acks", "all"},
                        {"partitioner", "murmur2_random"},
                        {"linger.ms", "2"},
                        {"queue.buffering.max.messages", "1000000"},
                        {"message.timeout.ms", std::to_string(settings.delivery_timeout_ms)}}));
  RAPPORT_RETURN_IF_ERROR(ApplyClientProperties(c, settings));
  return conf;
}

Result<KafkaConfPtr> MakeConsumerConf(const KafkaSettings& settings, const std::string& group_id,
                                      const std::string& client_id) {
  auto conf = BaseConf(settings, client_id);
  if (!conf.ok()) return conf.status();
  rd_kafka_conf_t* c = conf->get();
  RAPPORT_RETURN_IF_ERROR(SetProperties(
      c, {{"group.id", group_id},
          {"partition.assignment.strategy", "cooperative-sticky"},
          {"auto.offset.reset", "error"},
          {"enable.auto.commit", "false"},
          {"enable.auto.offset.store", "false"},
          {"enable.partition.eof", "true"},
          {"session.timeout.ms", std::to_string(settings.session_timeout_ms)},
          {"heartbeat.interval.ms", std::to_string(std::max(100, settings.session_timeout_ms / 5))},
          {"fetch.wait.max.ms", "50"}}));
  if (settings.consumer_queue_kbytes < 1 || settings.consumer_queue_kbytes > 2'097'151) {
    return Status::InvalidArgument(
        "kafka.consumer_queue_kbytes",
        "must be between 1 and 2097151, got " + std::to_string(settings.consumer_queue_kbytes));
  }
  RAPPORT_RETURN_IF_ERROR(
      SetProperty(c, "queued.max.messages.kbytes", std::to_string(settings.consumer_queue_kbytes)));
  RAPPORT_RETURN_IF_ERROR(ApplyClientProperties(c, settings));
  return conf;
}

}  // namespace rapport::events
