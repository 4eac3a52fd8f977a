#include "services/ops/dead_letter_tool.h"

#include <algorithm>
#include <map>
#include <tuple>

#include <spdlog/spdlog.h>

#include "events/dead_letter.h"
#include "events/json_codec.h"
#include "events/names.h"
#include "events/time_format.h"
#include "events/topic_reader.h"
#include "events/wire_codec.h"

namespace rapport::services {
namespace {

std::string Header(const events::TopicRecord& record, std::string_view name) {
  auto value = record.header(name);
  return value ? std::string(*value) : std::string();
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

}  // namespace

Result<std::vector<DeadLetterRecord>> ReadDeadLetters(const events::KafkaSettings& kafka,
                                                      std::chrono::milliseconds timeout) {
  const std::string& topic = kafka.topics.dead_letter;
  std::vector<DeadLetterRecord> records;
  std::map<std::string, std::string> replay_marks;  // replayed id -> marker id
  events::TopicReadOptions options;
  options.timeout = timeout;
  options.client_id = "rapport-dlq";
  RAPPORT_RETURN_IF_ERROR(events::ReadTopicToEnd(kafka, topic, options, [&](events::TopicRecord&& message) {
    const int32_t partition = message.partition.value();
    const int64_t offset = message.offset.value();
    if (std::string of = Header(message, kDlqReplayOf); !of.empty()) {
      replay_marks[of] = Id(partition, offset);
      return Status::Ok();
    }
    DeadLetterRecord record;
    record.id = Id(partition, offset);
    record.partition = partition;
    record.offset = offset;
    record.timestamp_ms = message.timestamp_ms;
    record.source_topic = Header(message, events::kDlqSourceTopic);
    record.source_partition = Number<int32_t>(Header(message, events::kDlqSourcePartition), -1);
    record.source_offset = Number<int64_t>(Header(message, events::kDlqSourceOffset), -1);
    record.error = Header(message, events::kDlqError);
    record.consumer = Header(message, events::kDlqConsumer);
    record.key = message.key.value_or("");
    record.value = message.value.value_or("");
    records.push_back(std::move(record));
    return Status::Ok();
  }, /*missing_is_error=*/true));
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
