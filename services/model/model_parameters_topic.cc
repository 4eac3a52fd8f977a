#include "services/model/model_parameters_topic.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <string>
#include <vector>

#include "events/record_signature.h"
#include "events/topic_reader.h"

namespace rapport::services {
namespace {

struct Candidate {
  int64_t offset = -1;
  int64_t timestamp_ms = 0;
  projections::ModelParameters parameters;
};

}  // namespace

Status PublishModelParameters(events::Publisher& publisher, const events::KafkaSettings& kafka,
                              const projections::ModelParameters& parameters) {
  events::OutgoingMessage message;
  message.topic = kafka.topics.model_parameters;
  // One key per fit (model @ as_of): compaction keeps every fit, which the churn
  // projection needs to apply the one in effect at each event time.
  message.key = ModelParametersKey(parameters);
  message.value = projections::EncodeModelParameters(parameters);
  message.headers = {{"rapport-schema-version", std::to_string(projections::kModelSchemaVersion)}};
  events::SignMessage(message, kafka.record_secret);
  return publisher.PublishAndWait({&message, 1});
}

std::string ModelParametersKey(const projections::ModelParameters& parameters) {
  return parameters.model + "@" + std::to_string(parameters.as_of_ms);
}

Result<std::optional<projections::ModelParameters>> ReadLatestModelParameters(
    const events::KafkaSettings& settings, std::string_view model, std::chrono::milliseconds timeout) {
  auto history = ReadModelParameterHistory(settings, model, timeout);
  if (!history.ok()) return history.status();
  if (history->empty()) return std::optional<projections::ModelParameters>();
  return std::optional<projections::ModelParameters>(history->back());
}

namespace {

// The fits of `model` a record holds (keys "model@as_of", and the bare model name
// of records from before per-fit keys); a record that fails verification is
// skipped with a warning (the topic is re-read from the beginning each time, so
// dead-lettering would repeat).
void CollectFit(const events::TopicRecord& record, std::string_view model, std::string_view secret,
                std::vector<Candidate>& found) {
  if (!record.key || !record.value) return;
  const std::string_view key = *record.key;
  const std::string prefix = std::string(model) + "@";
  if (key != model && key.substr(0, prefix.size()) != prefix) return;
  // Unsigned or forged parameters would poison P(alive) and the predicted value.
  Status signature = events::VerifyRecordSignature(secret, key, *record.value, record.header(events::kHeaderSignature));
  if (!signature.ok()) {
    spdlog::error("{} partition {} offset {}: rejected: {}", record.topic, record.partition.value(),
                  record.offset.value(), signature.message());
    return;
  }
  auto decoded = projections::DecodeModelParameters(*record.value);
  if (!decoded.ok()) {
    spdlog::warn("{} partition {} offset {}: skipped: {}", record.topic, record.partition.value(),
                 record.offset.value(), decoded.status().ToString());
  } else if (decoded->model == model) {
    found.push_back({record.offset.value(), record.timestamp_ms, std::move(decoded).value()});
  }
}

// By as_of; one fit per as_of, the latest fitted (then the newest message).
std::vector<projections::ModelParameters> OneFitPerAsOf(std::vector<Candidate> found) {
  std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.parameters.as_of_ms, a.parameters.fitted_at_ms, a.timestamp_ms, a.offset) <
           std::tie(b.parameters.as_of_ms, b.parameters.fitted_at_ms, b.timestamp_ms, b.offset);
  });
  std::vector<projections::ModelParameters> history;
  for (Candidate& candidate : found) {
    if (!history.empty() && history.back().as_of_ms == candidate.parameters.as_of_ms) history.pop_back();
    history.push_back(std::move(candidate.parameters));
  }
  return history;
}

}  // namespace

Result<std::vector<projections::ModelParameters>> ReadModelParameterHistory(
    const events::KafkaSettings& settings, std::string_view model, std::chrono::milliseconds timeout,
    const events::TopicHistory* durable_copy) {
  std::vector<Candidate> found;
  events::TopicReadOptions options;
  options.timeout = timeout;
  options.client_id = "rapport-model-reader";
  options.history = durable_copy;
  RAPPORT_RETURN_IF_ERROR(events::ReadTopicToEnd(settings, settings.topics.model_parameters, options,
                                                 [&](events::TopicRecord&& record) {
                                                   CollectFit(record, model, settings.record_secret, found);
                                                   return Status::Ok();
                                                 }));
  return OneFitPerAsOf(std::move(found));
}

}  // namespace rapport::services
