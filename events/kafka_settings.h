#pragma once
// How rapport talks to Kafka: where the cluster is, the topic names, and the client
// properties every producer and consumer gets. The same code runs against a real
// cluster and the embedded one; only bootstrap_servers differs.

#include <map>
#include <string>
#include <vector>

#include "events/kafka_handles.h"
#include "events/status.h"

namespace rapport::events {

struct TopicNames {
  std::string interactions = "rapport.interactions";
  std::string churn_alerts = "rapport.churn-alerts";
  std::string dead_letter = "rapport.dead-letter";
  // Compacted, keyed by model name: the latest fitted parameters (schemas/model.fbs).
  std::string model_parameters = "rapport.model-parameters";
  std::string instances = "rapport.instances";  // scale-out: who owns which partition
  // Compacted, keyed by credential name: token hashes and roles (services/access).
  std::string credentials = "rapport.credentials";
};

// A topic the embedded mode keeps a durable copy of (storage/topic_log.h).
struct ArchivedTopic {
  std::string name;
  bool compacted = false;  // the copy keeps the latest value per key
};

// Every topic rapport writes besides the interactions (which the event journal
// keeps): logged by the topic archiver and restored at start in embedded mode. A
// new topic rapport writes is one line here (ArchivedTopics in kafka_settings.cc).
std::vector<ArchivedTopic> ArchivedTopics(const TopicNames& topics);

struct KafkaSettings {
  std::string bootstrap_servers;
  TopicNames topics;
  int partitions = 12;          // used when rapport creates the topics
  int replication_factor = 3;
  int session_timeout_ms = 10'000;
  int delivery_timeout_ms = 30'000;  // a publish not acknowledged by then fails
  // Pre-fetched messages a consumer keeps queued (librdkafka queued.max.messages.kbytes,
  // whose own default is 64 MiB): `rapport up` runs five consumers.
  int consumer_queue_kbytes = 8192;
  // Extra librdkafka properties (security.protocol, sasl.*, ...) applied last.
  std::map<std::string, std::string> client_properties;
  // Embedded mode only (set by the process that finds the embedded broker, not by
  // the config file): every Publisher spools messages to ArchivedTopics here before
  // producing them (events/topic_spool.h). Empty with a real cluster.
  std::string topic_spool_dir;
  // The cluster secret: the HMAC key of the control topics' records (credentials,
  // model parameters, instances; events/record_signature.h). Loaded from a file by
  // the process (services/access/cluster_secret.h), never a config value itself.
  std::string record_secret;
};

// The one place a librdkafka error code becomes a rapport Status.
Status FromKafka(rd_kafka_resp_err_t err, std::string_view context);

// Producer: idempotent, acks=all, murmur2_random partitioner (Java-compatible key
// placement).
Result<KafkaConfPtr> MakeProducerConf(const KafkaSettings& settings, const std::string& client_id);
// Consumer: cooperative-sticky, auto.offset.reset=error (never skip silently), no
// auto commit (the runtime stores offsets in RocksDB and commits for monitoring).
Result<KafkaConfPtr> MakeConsumerConf(const KafkaSettings& settings, const std::string& group_id,
                                      const std::string& client_id);

// Sets one property, turning librdkafka's error text into a Status naming it.
Status SetProperty(rd_kafka_conf_t* conf, const std::string& name, const std::string& value);

}  // namespace rapport::events
