#pragma once
// `rapport dlq list|show|replay`: what an operator does with the dead-letter topic.
//
// Every record on rapport.dead-letter is a message some consumer could not process
// (events/dead_letter.h): the original key and bytes, with headers naming the source
// topic, partition, offset, the error and the consumer. A record's id is its place on
// the dead-letter topic, "<partition>:<offset>".
//
// Replay re-publishes a record's original key, bytes and timestamp to its source
// topic (at the end: Kafka has no insert), with a header naming the record it came
// from, then appends a replay marker for it to the dead-letter topic. Markers are
// how `list` shows "replayed" and how replay refuses to re-drive a record twice
// (unless forced): the dead-letter topic itself is the shared, durable memory, so
// two operators on two machines see the same marks. A crash between the publish
// and the marker can replay one record twice; projections count it once anyway,
// because they de-duplicate by customer and event id.
//
// Reading is a bounded scan: every partition of the dead-letter topic from its low
// to its high watermark, without a consumer group (nothing is committed).

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "events/kafka_settings.h"
#include "events/publisher.h"
#include "events/status.h"

namespace rapport::services {

// Marker headers written by replay (on the dead-letter topic) and on the replayed
// message (on the source topic).
inline constexpr std::string_view kDlqReplayOf = "rapport-dlq-replay-of";
inline constexpr std::string_view kDlqReplayedFrom = "rapport-dlq-replayed-from";

struct DeadLetterRecord {
  std::string id;  // "<partition>:<offset>" on the dead-letter topic
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = 0;  // the source message's timestamp (copied by MakeDeadLetter)
  std::string source_topic;
  int32_t source_partition = -1;
  int64_t source_offset = -1;
  std::string error;
  std::string consumer;
  std::string key;
  std::string value;
  // Set when a replay marker names this record: the marker's id.
  std::optional<std::string> replayed_by;
};

// Every dead-letter record (markers applied, not returned), in partition/offset order.
Result<std::vector<DeadLetterRecord>> ReadDeadLetters(const events::KafkaSettings& kafka,
                                                      std::chrono::milliseconds timeout = std::chrono::seconds(30));

struct ReplayOutcome {
  std::vector<std::string> replayed;
  std::vector<std::string> skipped;  // already replayed (without force)
};

// Re-drives the records whose ids are in `ids` (all of them when `ids` is empty and
// `all` is set). Unknown ids are an error before anything is published.
Result<ReplayOutcome> ReplayDeadLetters(const events::KafkaSettings& kafka, events::Publisher& publisher,
                                        const std::vector<DeadLetterRecord>& records,
                                        const std::set<std::string>& ids, bool all, bool force);

// One line per record for `list`; the full record for `show` (bytes as hex and
// base64, the decoded envelope when it decodes).
std::string FormatDeadLetterLine(const DeadLetterRecord& record);
nlohmann::json DeadLetterJson(const DeadLetterRecord& record);

std::string ToHex(std::string_view bytes);
std::string ToBase64(std::string_view bytes);

}  // namespace rapport::services
