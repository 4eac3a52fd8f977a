#pragma once
// RAII owners for librdkafka C handles: every handle is owned by a unique_ptr from
// the moment it is created, so no error path leaks one.

#include <memory>

#include <librdkafka/rdkafka.h>

namespace rapport::events {

struct KafkaDeleter {
  void operator()(rd_kafka_t* handle) const { rd_kafka_destroy(handle); }
  void operator()(rd_kafka_conf_t* conf) const { rd_kafka_conf_destroy(conf); }
  void operator()(rd_kafka_queue_t* queue) const { rd_kafka_queue_destroy(queue); }
  void operator()(rd_kafka_message_t* message) const { rd_kafka_message_destroy(message); }
  void operator()(rd_kafka_topic_partition_list_t* list) const { rd_kafka_topic_partition_list_destroy(list); }
  void operator()(rd_kafka_headers_t* headers) const { rd_kafka_headers_destroy(headers); }
};

using KafkaPtr = std::unique_ptr<rd_kafka_t, KafkaDeleter>;
using KafkaConfPtr = std::unique_ptr<rd_kafka_conf_t, KafkaDeleter>;
using KafkaQueuePtr = std::unique_ptr<rd_kafka_queue_t, KafkaDeleter>;
using KafkaMessagePtr = std::unique_ptr<rd_kafka_message_t, KafkaDeleter>;
using PartitionListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, KafkaDeleter>;
using KafkaHeadersPtr = std::unique_ptr<rd_kafka_headers_t, KafkaDeleter>;

}  // namespace rapport::events
