#include "services/model/model_parameters_topic.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <string>
#include <vector>

#include "events/kafka_handles.h"

namespace rapport::services {
namespace {

struct Candidate {
  int64_t offset = -1;
  int64_t timestamp_ms = 0;
  projections::ModelParameters parameters;
};

int TimeoutMs(std::chrono::steady_clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return static_cast<int>(std::max<int64_t>(left.count(), 1));
}

}  // namespace

Status PublishModelParameters(events::Publisher& publisher, const events::TopicNames& topics,
                              const projections::ModelParameters& parameters) {
  events::OutgoingMessage message;
  message.topic = topics.model_parameters;
  // One key per fit (model @ as_of): compaction keeps every fit, which the churn
  // projection needs to apply the one in effect at each event time.
  message.key = ModelParametersKey(parameters);
  message.value = projections::EncodeModelParameters(parameters);
  message.headers = {{"rapport-schema-version", std::to_string(projections::kModelSchemaVersion)}};
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

Result<std::vector<projections::ModelParameters>> ReadModelParameterHistory(
    const events::KafkaSettings& settings, std::string_view model, std::chrono::milliseconds timeout) {
  using History = std::vector<projections::ModelParameters>;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string& topic = settings.topics.model_parameters;
  auto conf = events::MakeConsumerConf(settings, "rapport-model-parameters-reader", "rapport-model-reader");
  if (!conf.ok()) return conf.status();
  // A partition is done at its end even if its last offset is not a message we see.
  RAPPORT_RETURN_IF_ERROR(events::SetProperty(conf->get(), "enable.partition.eof", "true"));
  char error[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), error, sizeof(error));
  if (raw == nullptr) return Status::InvalidArgument("kafka", error);
  conf->release();
  events::KafkaPtr consumer(raw);
  rd_kafka_poll_set_consumer(consumer.get());

  // How many partitions the topic has.
  int partitions = 0;
  {
    rd_kafka_topic_t* handle = rd_kafka_topic_new(consumer.get(), topic.c_str(), nullptr);
    const rd_kafka_metadata_t* metadata = nullptr;
    rd_kafka_resp_err_t err = rd_kafka_metadata(consumer.get(), 0, handle, &metadata, TimeoutMs(deadline));
    rd_kafka_topic_destroy(handle);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return events::FromKafka(err, "metadata of " + topic);
    if (metadata->topic_cnt == 1) {
      const auto& t = metadata->topics[0];
      if (t.err == RD_KAFKA_RESP_ERR_NO_ERROR)
        partitions = t.partition_cnt;
      else if (t.err != RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART &&
               t.err != RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) {
        rd_kafka_resp_err_t topic_err = t.err;
        rd_kafka_metadata_destroy(metadata);
        return events::FromKafka(topic_err, "metadata of " + topic);
      }
    }
    rd_kafka_metadata_destroy(metadata);
  }
  if (partitions == 0) return History();

  // Each partition from its low to its high watermark at this moment.
  std::map<int32_t, int64_t> end;  // partition -> high watermark still to reach
  events::PartitionListPtr assignment(rd_kafka_topic_partition_list_new(partitions));
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    rd_kafka_resp_err_t err =
        rd_kafka_query_watermark_offsets(consumer.get(), topic.c_str(), p, &low, &high, TimeoutMs(deadline));
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) return events::FromKafka(err, "watermarks of " + topic);
    if (high <= low) continue;
    end[p] = high;
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset = low;
  }
  if (end.empty()) return History();
  rd_kafka_resp_err_t assigned = rd_kafka_assign(consumer.get(), assignment.get());
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) return events::FromKafka(assigned, "assign " + topic);

  std::vector<Candidate> found;
  Status failure = Status::Ok();
  while (!end.empty()) {
    if (std::chrono::steady_clock::now() >= deadline) {
      failure = Status::Unavailable("reading " + topic + ": not at its end after " +
                                    std::to_string(timeout.count()) + " ms");
      break;
    }
    events::KafkaMessagePtr message(rd_kafka_consumer_poll(consumer.get(), 100));
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      end.erase(message->partition);
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::warn("reading {}: {}", topic, rd_kafka_message_errstr(message.get()));
      continue;
    }
    const int32_t partition = message->partition;
    const int64_t offset = message->offset;
    const std::string_view key(static_cast<const char*>(message->key), message->key_len);
    const std::string prefix = std::string(model) + "@";
    if (key == model || key.substr(0, prefix.size()) == prefix) {  // bare model: before per-fit keys
      auto decoded = projections::DecodeModelParameters(
          std::string_view(static_cast<const char*>(message->payload), message->len));
      if (!decoded.ok()) {
        spdlog::warn("{} partition {} offset {}: skipped: {}", topic, partition, offset,
                     decoded.status().ToString());
      } else if (decoded->model == model) {
        found.push_back({offset, rd_kafka_message_timestamp(message.get(), nullptr), std::move(decoded).value()});
      }
    }
    auto it = end.find(partition);
    if (it != end.end() && offset + 1 >= it->second) end.erase(it);
  }
  rd_kafka_consumer_close(consumer.get());
  if (!failure.ok()) return failure;

  // By as_of; one fit per as_of, the latest fitted (then the newest message).
  std::sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    return std::tie(a.parameters.as_of_ms, a.parameters.fitted_at_ms, a.timestamp_ms, a.offset) <
           std::tie(b.parameters.as_of_ms, b.parameters.fitted_at_ms, b.timestamp_ms, b.offset);
  });
  History history;
  for (Candidate& candidate : found) {
    if (!history.empty() && history.back().as_of_ms == candidate.parameters.as_of_ms) history.pop_back();
    history.push_back(std::move(candidate.parameters));
  }
  return history;
}

}  // namespace rapport::services
