#include "services/analyst/analyst_args.h"

#include <charconv>
#include <string>

#include "events/names.h"
#include "events/time_format.h"

namespace rapport::services {
namespace {

template <typename Int>
bool ParseInteger(std::string_view text, Int& out) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    const size_t end = text.find(separator, start);
    parts.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

}  // namespace

Result<int64_t> ParseTimeFlag(std::string_view text, std::string_view flag) {
  const std::string name(flag);
  if (text.empty()) return Status::InvalidArgument(name, "needs a time: RFC 3339, a date or epoch milliseconds");
  int64_t epoch_ms = 0;
  const std::string_view digits = text.front() == '-' ? text.substr(1) : text;
  if (!digits.empty() && digits.find_first_not_of("0123456789") == std::string_view::npos) {
    if (!ParseInteger(text, epoch_ms)) {
      return Status::InvalidArgument(name, "\"" + std::string(text) + "\" is not an integer of epoch milliseconds");
    }
    return epoch_ms;
  }
  std::string full(text);
  if (full.size() == 10 && full[4] == '-' && full[7] == '-') full += "T00:00:00Z";
  auto parsed = events::ParseRfc3339(full, name);
  if (!parsed.ok()) {
    return Status::InvalidArgument(name, "\"" + std::string(text) + "\" is not a time (" + parsed.status().message() +
                                             "); use RFC 3339 like 2026-03-01T00:00:00Z, a date like 2026-03-01 "
                                             "or epoch milliseconds");
  }
  return *parsed;
}

Result<std::map<Partition, Offset>> ParseToOffsets(std::string_view text, std::string_view flag) {
  const std::string name(flag);
  std::map<Partition, Offset> out;
  if (text.empty()) return Status::InvalidArgument(name, "needs partition:offset pairs, like 0:120,1:98");
  for (std::string_view pair : Split(text, ',')) {
    const size_t colon = pair.find(':');
    int32_t partition = 0;
    int64_t offset = 0;
    if (colon == std::string_view::npos || !ParseInteger(pair.substr(0, colon), partition) ||
        !ParseInteger(pair.substr(colon + 1), offset) || partition < 0 || offset < 0) {
      return Status::InvalidArgument(name, "\"" + std::string(pair) +
                                               "\" is not partition:offset with two integers >= 0 (like 0:120)");
    }
    if (!out.emplace(Partition(partition), Offset(offset)).second) {
      return Status::InvalidArgument(name, "partition " + std::to_string(partition) + " is given twice");
    }
  }
  return out;
}

Result<std::set<events::EventType>> ParseEventTypes(std::string_view text, std::string_view flag) {
  std::set<events::EventType> out;
  for (std::string_view name : Split(text, ',')) {
    auto type = events::ParseEventType(name);
    if (!type) {
      return Status::InvalidArgument(std::string(flag),
                                     "unknown event type \"" + std::string(name) +
                                         "\" (known: customer_registered, purchase, refund, complaint, "
                                         "complaint_resolved, visit, care_contact, referral, customers_merged, "
                                         "customer_erased)");
    }
    out.insert(*type);
  }
  return out;
}

Result<ExportFormat> ParseExportFormat(std::string_view text, std::string_view flag) {
  if (text == "jsonl") return ExportFormat::kJsonl;
  if (text == "csv") return ExportFormat::kCsv;
  return Status::InvalidArgument(std::string(flag), "must be jsonl or csv, got \"" + std::string(text) + "\"");
}

}  // namespace rapport::services
