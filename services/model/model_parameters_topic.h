#pragma once
// The model parameters topic (`kafka.topics.model_parameters`, compacted, keyed by
// model name @ as_of, so compaction keeps every fit): `rapport model fit`
// publishes, the query API reads the latest, the churn projection the whole history
// (it applies the fit in effect at each event time, projections/churn/churn_fit_book.h),
// so all of them score customers with the same fitted parameters.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/status.h"
#include "events/topic_reader.h"
#include "models/model_parameters.h"

namespace rapport::services {

// Publishes `parameters` keyed by its model name, signed with kafka.record_secret
// (events/record_signature.h); OK once Kafka acknowledged it.
Status PublishModelParameters(events::Publisher& publisher, const events::KafkaSettings& kafka,
                              const projections::ModelParameters& parameters);

// "clv@1767225600000": the message key of a fit.
std::string ModelParametersKey(const projections::ModelParameters& parameters);

// Reads the topic to its end (events/topic_reader.h; with `durable_copy`, the
// embedded mode's topic log first) and returns every valid
// fit of `model` (keys "model@as_of", and the bare model name of older records),
// sorted by as_of; of fits with the same as_of the one with the latest
// fitted_at_ms (then the newest message) wins. Empty when the topic is missing or
// holds none. A message without a valid signature (settings.record_secret) or that
// fails verification is skipped with a warning (the
// topic is re-read from the beginning each time, so dead-lettering would repeat).
// Unavailable when Kafka does not answer within `timeout`.
Result<std::vector<projections::ModelParameters>> ReadModelParameterHistory(
    const events::KafkaSettings& settings, std::string_view model, std::chrono::milliseconds timeout,
    const events::TopicHistory* durable_copy = nullptr);

// The fit of `model` with the latest as_of (ReadModelParameterHistory's last);
// nullopt when there is none.
Result<std::optional<projections::ModelParameters>> ReadLatestModelParameters(
    const events::KafkaSettings& settings, std::string_view model, std::chrono::milliseconds timeout);

}  // namespace rapport::services
