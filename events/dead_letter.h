#pragma once
// Dead-letter records: a message that cannot be processed is copied, bytes
// unchanged, to the dead-letter topic with headers saying where it came from and
// why, so processing moves on and an operator can inspect or re-drive it.

#include <string>
#include <string_view>

#include "events/consumer.h"
#include "events/publisher.h"
#include "events/record.h"
#include "events/status.h"

namespace rapport::events {

inline constexpr std::string_view kDlqSourceTopic = "rapport-dlq-source-topic";
inline constexpr std::string_view kDlqSourcePartition = "rapport-dlq-source-partition";
inline constexpr std::string_view kDlqSourceOffset = "rapport-dlq-source-offset";
inline constexpr std::string_view kDlqError = "rapport-dlq-error";
inline constexpr std::string_view kDlqConsumer = "rapport-dlq-consumer";

OutgoingMessage MakeDeadLetter(const Record& source, const Status& reason, std::string_view consumer,
                               const std::string& dead_letter_topic);

}  // namespace rapport::events
