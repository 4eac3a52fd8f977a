#include "events/topic_reader.h"

#include <spdlog/spdlog.h>

#include "events/record.h"

namespace rapport::events {
namespace {

using Clock = std::chrono::steady_clock;

int MillisLeft(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
  return static_cast<int>(std::max<int64_t>(left.count(), 1));
}

bool IsFiller(const TopicRecord& record) {
  return (!record.value || record.value->empty()) && record.header(kHeaderFiller).has_value();
}

Result<KafkaPtr> NewReaderHandle(const KafkaSettings& kafka, const std::string& client_id) {
  // librdkafka wants a group id for a consumer; nothing joins it or commits to it.
  auto conf = MakeConsumerConf(kafka, "rapport.topic-reader", client_id);
  if (!conf.ok()) return conf.status();
  char error[512];
  rd_kafka_t* raw = rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), error, sizeof(error));
  if (raw == nullptr) return Status::InvalidArgument("kafka", error);
  conf->release();
  KafkaPtr handle(raw);
  rd_kafka_poll_set_consumer(handle.get());
  return handle;
}

// Where each partition's broker part starts and ends: [start, high).
struct Span {
  int64_t start = 0;
  int64_t high = 0;
};

Result<std::map<int32_t, Span>> BrokerSpans(rd_kafka_t* handle, const std::string& topic, int32_t partitions,
                                            const std::map<int32_t, int64_t>& archived, Clock::time_point deadline,
                                            bool follow) {
  std::map<int32_t, Span> spans;
  for (int32_t p = 0; p < partitions; ++p) {
    int64_t low = 0, high = 0;
    RAPPORT_RETURN_IF_ERROR(FromKafka(
        rd_kafka_query_watermark_offsets(handle, topic.c_str(), p, &low, &high, MillisLeft(deadline)),
        "watermarks of " + topic + "[" + std::to_string(p) + "]"));
    int64_t start = low;
    if (auto it = archived.find(p); it != archived.end()) {
      if (it->second < low) {
        spdlog::warn("{}[{}]: offsets {}..{} left the broker before they were archived", topic, p, it->second, low);
      }
      start = std::max(low, it->second);
    }
    if (start < high || follow) spans[p] = {start, high};
  }
  return spans;
}

Status ConsumeSpans(rd_kafka_t* handle, const std::string& topic, std::map<int32_t, Span> spans,
                    Clock::time_point deadline, const TopicReadOptions& options, const TopicVisitor& visit) {
  if (spans.empty()) return Status::Ok();
  const std::atomic<bool>* follow = options.follow_until;
  PartitionListPtr assignment(rd_kafka_topic_partition_list_new(static_cast<int>(spans.size())));
  for (const auto& [p, span] : spans) {
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), p)->offset = span.start;
  }
  RAPPORT_RETURN_IF_ERROR(FromKafka(rd_kafka_assign(handle, assignment.get()), "assign " + topic));
  Status result = Status::Ok();
  while (result.ok() && (follow ? !follow->load() : !spans.empty())) {
    if (!follow && Clock::now() >= deadline) {
      result = Status::Unavailable("reading " + topic + ": not at its end after " +
                                   std::to_string(options.timeout.count()) +
                                   " ms (" + std::to_string(spans.size()) + " partition(s) unfinished)");
      break;
    }
    KafkaMessagePtr message(rd_kafka_consumer_poll(handle, 100));
    if (!message) continue;
    if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      spans.erase(message->partition);
      continue;
    }
    if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      spdlog::warn("reading {}: {}", topic, rd_kafka_message_errstr(message.get()));
      continue;
    }
    TopicRecord record = ToTopicRecord(*message);
    if (auto it = spans.find(message->partition); it != spans.end() && message->offset + 1 >= it->second.high) {
      spans.erase(it);
    }
    if (!IsFiller(record)) result = visit(std::move(record));
  }
  (void)rd_kafka_assign(handle, nullptr);
  return result;
}

}  // namespace

std::optional<std::string_view> TopicRecord::header(std::string_view name) const {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it) {
    if (it->first == name) return std::string_view(it->second);
  }
  return std::nullopt;
}

TopicRecord ToTopicRecord(const rd_kafka_message_t& message) {
  TopicRecord record;
  if (message.rkt) record.topic = rd_kafka_topic_name(message.rkt);
  record.partition = Partition(message.partition);
  record.offset = Offset(message.offset);
  if (message.key) record.key.emplace(static_cast<const char*>(message.key), message.key_len);
  if (message.payload) record.value.emplace(static_cast<const char*>(message.payload), message.len);
  record.timestamp_ms = rd_kafka_message_timestamp(&message, nullptr);
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(&message, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
    const char* name = nullptr;
    const void* value = nullptr;
    size_t size = 0;
    for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
      record.headers.emplace_back(name, value ? std::string(static_cast<const char*>(value), size) : std::string());
    }
  }
  return record;
}

Result<int32_t> TopicPartitionCount(rd_kafka_t* handle, const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(handle, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(handle, 0, rkt, &metadata, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(rkt);
  RAPPORT_RETURN_IF_ERROR(FromKafka(err, "metadata of " + topic));
  int32_t count = 0;
  rd_kafka_resp_err_t topic_err = RD_KAFKA_RESP_ERR_NO_ERROR;
  if (metadata->topic_cnt == 1) {
    topic_err = metadata->topics[0].err;
    if (topic_err == RD_KAFKA_RESP_ERR_NO_ERROR) count = metadata->topics[0].partition_cnt;
  }
  rd_kafka_metadata_destroy(metadata);
  if (topic_err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART || topic_err == RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC) return 0;
  RAPPORT_RETURN_IF_ERROR(FromKafka(topic_err, "metadata of " + topic));
  return count;
}

Status ReadTopicToEnd(const KafkaSettings& kafka, const std::string& topic, const TopicReadOptions& options,
                      const TopicVisitor& visit, bool missing_is_error) {
  const auto deadline = Clock::now() + options.timeout;
  auto handle = NewReaderHandle(kafka, options.client_id);
  if (!handle.ok()) return handle.status();
  auto partitions = TopicPartitionCount(handle->get(), topic, options.timeout);
  if (!partitions.ok()) return partitions.status();
  if (*partitions == 0 && missing_is_error) return Status::NotFound("topic " + topic);

  std::map<int32_t, int64_t> archived;
  if (options.history != nullptr) {
    auto copied = options.history->Visit(topic, [&](TopicRecord&& record) {
      return IsFiller(record) ? Status::Ok() : visit(std::move(record));
    });
    if (!copied.ok()) return copied.status();
    archived = std::move(copied).value();
  }
  if (*partitions == 0) return Status::Ok();
  auto spans = BrokerSpans(handle->get(), topic, *partitions, archived, deadline, options.follow_until != nullptr);
  if (!spans.ok()) return spans.status();
  Status read = ConsumeSpans(handle->get(), topic, std::move(spans).value(), deadline, options, visit);
  rd_kafka_consumer_close(handle->get());
  return read;
}

}  // namespace rapport::events
