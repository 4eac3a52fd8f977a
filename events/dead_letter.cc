#include "events/dead_letter.h"

namespace rapport::events {

OutgoingMessage MakeDeadLetter(const Record& source, const Status& reason, std::string_view consumer,
                               const std::string& dead_letter_topic) {
  OutgoingMessage out;
  out.topic = dead_letter_topic;
  out.key = std::string(source.key);
  out.value = std::string(source.value);
  out.timestamp_ms = source.timestamp_ms > 0 ? source.timestamp_ms : 0;
  out.headers = {
      {std::string(kDlqSourceTopic), std::string(source.topic)},
      {std::string(kDlqSourcePartition), std::to_string(source.partition.value())},
      {std::string(kDlqSourceOffset), std::to_string(source.offset.value())},
      {std::string(kDlqError), reason.ToString()},
      {std::string(kDlqConsumer), std::string(consumer)},
  };
  return out;
}

}  // namespace rapport::events
