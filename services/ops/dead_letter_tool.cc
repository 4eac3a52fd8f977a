#include "services/ops/dead_letter_tool.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <spdlog/spdlog.h>

#include "events/dead_letter.h"
#include "events/json_codec.h"
#include "events/kafka_handles.h"
#include "events/names.h"
#include "events/time_format.h"
#include "events/wire_codec.h"

namespace rapport::services {
namespace {

std::string Header(rd_kafka_message_t* message, std::string_view name) {
  rd_kafka_headers_t* headers = nullptr;
  if (rd_kafka_message_headers(message, &headers) != RD_KAFKA_RESP_ERR_NO_ERROR) return "";
  const void* value = nullptr;
  size_t size = 0;
  const std::string name_z(name);
  if (rd_kafka_header_get_last(headers, name_z.c_str(), &value, &size) != RD_KAFKA_RESP_ERR_NO_ERROR ||
      value == nullptr) {
    return "";
  }
  return std::string(static_cast<const char*>(value), size);
}

template <typename T>
T Number(const std::string& text, T fallback) {
  try {
    return text.empty() ? fallback : static_cast<T>(std::stoll(text));
  } catch (const std::exception&) {
    return fallback;
  }
}

std::string Id(int32_t partition, int64_t offset) { return std::to_string(partition) + ":" + std::to_string(offset); }

// The partitions of `topic` with their [low, high) watermarks.
Result<std::map<int32_t, std::pair<int64_t, int64_t>>> Watermarks(rd_kafka_t* handle, const std::string& topic,
                                                                  std::chrono::milliseconds timeout) {
  const rd_kafka_metadata_t* metadata = nullptr;
  rd_kafka_topic_t* rkt = rd_kafka_topic_new(handle, topic.c_str(), nullptr);
  rd_kafka_resp_err_t err = rd_kafka_metadata(handle, 0, rkt, &metadata, static_cast<int>(timeout.count()));
  rd_kafka_topic_destroy(rkt);
  RAPPORT_RETURN_IF_ERROR(events::FromKafka(err, "metadata of " + topic));
  std::map<int32_t, std::pair<int64_t, int64_t>> out;
  Status status;
  for (int t = 0; t < metadata->topic_cnt && status.ok(); ++t) {
    const auto& tm = metadata->topics[t];
    if (tm.err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      status = events::FromKafka(tm.err, "topic " + topic);
      break;
    }
    for (int p = 0; p < tm.partition_cnt; ++p) {
      int64_t low = 0, high = 0;
      const int32_t id = tm.partitions[p].id;
      err = rd_kafka_query_watermark_offsets(handle, topic.c_str(), id, &low, &high, static_cast<int>(timeout.count()));
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        status = events::FromKafka(err, "watermarks of " + topic + "[" + std::to_string(id) + "]");
        break;
      }
      out[id] = {low, high};
    }
  }
  rd_kafka_metadata_destroy(metadata);
  if (!status.ok()) return status;
  return out;
}

}  // namespace

Result<std::vector<DeadLetterRecord>> ReadDeadLetters(const events::KafkaSettings& kafka,
                                                      std::chrono::milliseconds timeout) {
  const std::string& topic = kafka.topics.dead_letter;
  // A group id is required by librdkafka for a consumer; nothing is ever committed.
  auto conf = events::MakeConsumerConf(kafka, "rapport.dlq-tool", "rapport-dlq");
  if (!conf.ok()) return conf.status();
  char error[512];
  events::KafkaPtr handle(rd_kafka_new(RD_KAFKA_CONSUMER, conf->get(), error, sizeof(error)));
  if (!handle) return Status::InvalidArgument("kafka", error);
  conf->release();
  rd_kafka_poll_set_consumer(handle.get());

  auto marks = Watermarks(handle.get(), topic, timeout);
  if (!marks.ok()) return marks.status();
  events::PartitionListPtr assignment(rd_kafka_topic_partition_list_new(static_cast<int>(marks->size())));
  std::map<int32_t, int64_t> remaining_until;  // partition -> high watermark still to reach
  for (const auto& [partition, range] : *marks) {
    if (range.first >= range.second) continue;
    rd_kafka_topic_partition_list_add(assignment.get(), topic.c_str(), partition)->offset = range.first;
    remaining_until[partition] = range.second;
  }
  std::vector<DeadLetterRecord> records;
  std::map<std::string, std::string> replay_marks;  // replayed id -> marker id
  if (!remaining_until.empty()) {
    RAPPORT_RETURN_IF_ERROR(events::FromKafka(rd_kafka_assign(handle.get(), assignment.get()), "assign " + topic));
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!remaining_until.empty()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::Unavailable("reading " + topic + " timed out with " + std::to_string(remaining_until.size()) +
                                   " partition(s) unfinished");
      }
      events::KafkaMessagePtr message(rd_kafka_consumer_poll(handle.get(), 200));
      if (!message) continue;
      if (message->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        remaining_until.erase(message->partition);
        continue;
      }
      if (message->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        spdlog::warn("dlq: {}", rd_kafka_message_errstr(message.get()));
        continue;
      }
      const int32_t partition = message->partition;
      const int64_t offset = message->offset;
      if (auto it = remaining_until.find(partition); it != remaining_until.end() && offset + 1 >= it->second) {
        remaining_until.erase(it);
      }
      if (std::string of = Header(message.get(), kDlqReplayOf); !of.empty()) {
        replay_marks[of] = Id(partition, offset);
        continue;
      }
      DeadLetterRecord record;
      record.id = Id(partition, offset);
      record.partition = partition;
      record.offset = offset;
      record.timestamp_ms = rd_kafka_message_timestamp(message.get(), nullptr);
      record.source_topic = Header(message.get(), events::kDlqSourceTopic);
      record.source_partition = Number<int32_t>(Header(message.get(), events::kDlqSourcePartition), -1);
      record.source_offset = Number<int64_t>(Header(message.get(), events::kDlqSourceOffset), -1);
      record.error = Header(message.get(), events::kDlqError);
      record.consumer = Header(message.get(), events::kDlqConsumer);
      if (message->key) record.key.assign(static_cast<const char*>(message->key), message->key_len);
      if (message->payload) record.value.assign(static_cast<const char*>(message->payload), message->len);
      records.push_back(std::move(record));
    }
    (void)rd_kafka_assign(handle.get(), nullptr);
  }
  rd_kafka_consumer_close(handle.get());
  std::sort(records.begin(), records.end(), [](const DeadLetterRecord& a, const DeadLetterRecord& b) {
    return std::tie(a.partition, a.offset) < std::tie(b.partition, b.offset);
  });
  for (DeadLetterRecord& record : records) {
    if (auto it = replay_marks.find(record.id); it != replay_marks.end()) record.replayed_by = it->second;
  }
  return records;
}

Result<ReplayOutcome> ReplayDeadLetters(const events::KafkaSettings& kafka, events::Publisher& publisher,
                                        const std::vector<DeadLetterRecord>& records,
                                        const std::set<std::string>& ids, bool all, bool force) {
  if (ids.empty() && !all) return Status::InvalidArgument("id", "name the records to replay, or pass --all");
  std::set<std::string> unknown = ids;
  std::vector<const DeadLetterRecord*> chosen;
  for (const DeadLetterRecord& record : records) {
    if (!all && !ids.contains(record.id)) continue;
    unknown.erase(record.id);
    chosen.push_back(&record);
  }
  if (!unknown.empty()) {
    return Status::InvalidArgument("id", "no dead-letter record " + *unknown.begin() + " on " +
                                             kafka.topics.dead_letter);
  }
  ReplayOutcome outcome;
  for (const DeadLetterRecord* record : chosen) {
    if (record->replayed_by && !force) {
      outcome.skipped.push_back(record->id);
      continue;
    }
    if (record->source_topic.empty()) {
      return Status::InvalidArgument("id", record->id + " names no source topic; cannot replay it");
    }
    // One record at a time: its marker follows only its own acknowledged publish.
    events::OutgoingMessage replay;
    replay.topic = record->source_topic;
    replay.key = record->key;
    replay.value = record->value;
    replay.timestamp_ms = record->timestamp_ms > 0 ? record->timestamp_ms : 0;
    replay.headers = {{std::string(kDlqReplayedFrom), kafka.topics.dead_letter + "/" + record->id}};
    if (auto event = events::DecodeWire(record->value); event.ok()) {
      replay.headers.push_back({std::string(events::kHeaderEventType), std::string(events::Name(event->type()))});
      replay.headers.push_back({std::string(events::kHeaderSchemaVersion), std::to_string(events::kSchemaVersion)});
    }
    RAPPORT_RETURN_IF_ERROR(publisher.PublishAndWait(std::span(&replay, 1)));

    events::OutgoingMessage marker;
    marker.topic = kafka.topics.dead_letter;
    marker.key = record->id;
    marker.partition = Partition(record->partition);
    marker.headers = {{std::string(kDlqReplayOf), record->id}};
    RAPPORT_RETURN_IF_ERROR(publisher.PublishAndWait(std::span(&marker, 1)));
    outcome.replayed.push_back(record->id);
  }
  return outcome;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0xf]);
  }
  return out;
}

std::string ToBase64(std::string_view bytes) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int shift : {18, 12, 6, 0}) out.push_back(kAlphabet[(n >> shift) & 63]);
  }
  if (i < bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= uint8_t(bytes[i + 1]) << 8;
    out.push_back(kAlphabet[(n >> 18) & 63]);
    out.push_back(kAlphabet[(n >> 12) & 63]);
    out.push_back(i + 1 < bytes.size() ? kAlphabet[(n >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

std::string FormatDeadLetterLine(const DeadLetterRecord& record) {
  std::string line = record.id + "  " + record.source_topic + "[" + std::to_string(record.source_partition) + "]@" +
                     std::to_string(record.source_offset) + "  " +
                     (record.timestamp_ms > 0 ? events::FormatRfc3339(record.timestamp_ms) : std::string("-")) +
                     "  " + (record.replayed_by ? "replayed  " : "") + record.error;
  // One line per record, whatever the error text holds.
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return line;
}

nlohmann::json DeadLetterJson(const DeadLetterRecord& record) {
  // Error texts and keys may quote invalid UTF-8 from the message; replace, never throw.
  auto text = [](const std::string& s) {
    return nlohmann::json::parse(nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  };
  nlohmann::json out = {
      {"id", record.id},
      {"source", {{"topic", record.source_topic},
                  {"partition", record.source_partition},
                  {"offset", record.source_offset}}},
      {"error", text(record.error)},
      {"consumer", record.consumer},
      {"time", record.timestamp_ms > 0 ? events::FormatRfc3339(record.timestamp_ms) : ""},
      {"key", text(record.key)},
      {"bytes", record.value.size()},
      {"hex", ToHex(record.value)},
      {"base64", ToBase64(record.value)},
      {"replayed", record.replayed_by.has_value()},
  };
  if (record.replayed_by) out["replay_marker"] = *record.replayed_by;
  auto event = events::DecodeWire(record.value);
  if (event.ok()) {
    out["envelope"] = events::EventToJson(*event);
  } else {
    out["decode_error"] = text(event.status().ToString());
  }
  return out;
}

}  // namespace rapport::services
