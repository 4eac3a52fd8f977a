#pragma once
// An embedded mock cluster, the settings a client needs to reach it, and a publisher
// to it: the start of the tests below the platform (projector, outboxes, restore).

#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "events/embedded_broker.h"
#include "events/kafka_settings.h"
#include "events/publisher.h"

namespace rapport::testing {

struct BrokerWithPublisher {
  // `broker_count` brokers holding `topics`; the publisher's client id is `client_id`.
  // `session_timeout_ms` goes into `kafka` for the consumers the test makes (a short
  // one lets a stopped member leave its group in seconds).
  BrokerWithPublisher(int broker_count, const std::vector<events::TopicSpec>& topics,
                      const std::string& client_id = "test",
                      int session_timeout_ms = events::KafkaSettings{}.session_timeout_ms) {
    auto started = events::EmbeddedBroker::Start(broker_count, topics);
    if (!started.ok()) FAIL("embedded broker did not start: " << started.status().ToString());
    broker = std::move(started).value();
    kafka.bootstrap_servers = broker->bootstrap_servers();
    kafka.session_timeout_ms = session_timeout_ms;
    auto created = events::Publisher::Create(kafka, client_id);
    if (!created.ok()) FAIL("publisher " << client_id << " not created: " << created.status().ToString());
    publisher = std::move(created).value();
  }

  std::unique_ptr<events::EmbeddedBroker> broker;
  events::KafkaSettings kafka;
  std::unique_ptr<events::Publisher> publisher;
};

}  // namespace rapport::testing
