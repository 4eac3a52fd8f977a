#pragma once
// The model parameters topic (`kafka.topics.model_parameters`, compacted, keyed by
// model name): `rapport model fit` publishes, every service reads the latest, so
// all of them score customers with the same fitted parameters.

#include <chrono>
#include <optional>
#include <string_view>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/status.h"
#include "projections/model_parameters.h"

namespace rapport::services {

// Publishes `parameters` keyed by its model name; OK once Kafka acknowledged it.
Status PublishModelParameters(events::Publisher& publisher, const events::TopicNames& topics,
                              const projections::ModelParameters& parameters);

// Reads every partition of the topic from its beginning to its current end (no
// consumer group: a plain assignment, nothing committed) and returns the latest
// valid parameters of `model`: within a partition the highest offset, across
// partitions the newest message timestamp. nullopt when the topic is missing or
// holds none. A message that fails verification is skipped with a warning (the
// topic is re-read from the beginning each time, so dead-lettering would repeat).
// Unavailable when Kafka does not answer within `timeout`.
Result<std::optional<projections::ModelParameters>> ReadLatestModelParameters(
    const events::KafkaSettings& settings, std::string_view model, std::chrono::milliseconds timeout);

}  // namespace rapport::services
