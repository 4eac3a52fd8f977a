#pragma once
// A plain librdkafka consumer for tests that read a topic as it is: no group
// membership, every partition assigned from its first offset, end-of-partition
// events on (MakeConsumerConf turns them on).

#include <string>

#include <catch2/catch.hpp>
#include <librdkafka/rdkafka.h>

#include "events/kafka_handles.h"
#include "events/kafka_settings.h"

namespace rapport::testing {

// A consumer of partitions 0..`partitions`-1 of `topic`, each from its beginning;
// `client` names it (group id and client id). Close it with rd_kafka_consumer_close.
inline events::KafkaPtr AssignFromBeginning(const events::KafkaSettings& kafka, const std::string& client,
                                            const std::string& topic, int partitions) {
  auto conf = events::MakeConsumerConf(kafka, client, client);
  REQUIRE(conf.ok());
  char error[512];
  events::KafkaPtr consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf->release(), error, sizeof(error)));
  REQUIRE(consumer);
  rd_kafka_poll_set_consumer(consumer.get());
  events::PartitionListPtr list(rd_kafka_topic_partition_list_new(partitions));
  for (int p = 0; p < partitions; ++p) {
    rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  }
  REQUIRE(rd_kafka_assign(consumer.get(), list.get()) == RD_KAFKA_RESP_ERR_NO_ERROR);
  return consumer;
}

}  // namespace rapport::testing
