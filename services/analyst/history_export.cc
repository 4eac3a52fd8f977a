#include "services/analyst/history_export.h"

#include <map>
#include <string_view>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "events/json_codec.h"
#include "events/names.h"
#include "events/wire_codec.h"
#include "storage/journal_merge.h"

namespace rapport::services {
namespace {

using events::EventType;

const std::vector<std::string> kCommonColumns = {"event_id", "customer_id", "type",    "occurred_at",
                                                 "recorded_at", "channel",   "agent_id"};

// Each type's fields, in the order of docs/events.md.
const std::vector<std::string>& TypeColumns(EventType type) {
  static const std::map<EventType, std::vector<std::string>> kColumns = {
      {EventType::kCustomerRegistered,
       {"display_name", "email", "phone", "region", "postal_code", "age_band", "wallet_estimate"}},
      {EventType::kPurchase, {"order_id", "amount", "cost", "currency", "items", "category"}},
      {EventType::kRefund, {"order_id", "amount"}},
      {EventType::kComplaint, {"complaint_id", "category", "severity", "text"}},
      {EventType::kComplaintResolved, {"complaint_id", "accepted"}},
      {EventType::kVisit, {"location", "duration_seconds", "outcome"}},
      {EventType::kCareContact, {"stage", "purpose", "direction", "expectation", "perception", "nps", "csat", "effort"}},
      {EventType::kReferral, {"referred_customer_id"}},
      {EventType::kCustomersMerged, {"merged_customer_id"}},
      {EventType::kCustomerErased, {}},
  };
  return kColumns.at(type);
}

}  // namespace

std::string NeutralisedCsvText(std::string text) {
  // OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these
  // as a formula (=HYPERLINK(...), @SUM(...)). A leading single quote makes it text.
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    text.insert(text.begin(), '\'');
  }
  return text;
}

namespace {

std::string CsvField(const nlohmann::json& value) {
  std::string text;
  if (value.is_null()) return text;
  // Numbers are written by the JSON writer (never negative in events); strings come
  // from clients and are neutralised.
  text = value.is_string() ? NeutralisedCsvText(value.get<std::string>()) : value.dump();
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

void WriteCsvRow(std::ostream& out, const std::vector<std::string>& columns, const nlohmann::json& object) {
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i) out << ',';
    auto it = object.find(columns[i]);
    if (it != object.end()) out << CsvField(*it);
  }
  out << "\r\n";  // RFC 4180
}

}  // namespace

std::vector<std::string> CsvColumns(const std::set<EventType>& types) {
  std::vector<std::string> columns = kCommonColumns;
  std::set<std::string> seen(columns.begin(), columns.end());
  for (int t = 0; t < events::kEventTypeCount; ++t) {
    const auto type = static_cast<EventType>(t);
    if (!types.empty() && !types.contains(type)) continue;
    for (const std::string& column : TypeColumns(type)) {
      if (seen.insert(column).second) columns.push_back(column);
    }
  }
  return columns;
}

Result<ExportStats> ExportHistory(const projections::Journal& journal, const ExportRequest& request,
                                  std::ostream& out, const std::function<void(int64_t, int64_t)>& progress) {
  ExportStats stats;
  const std::vector<std::string> columns = CsvColumns(request.types);
  if (request.format == ExportFormat::kCsv) {
    for (size_t i = 0; i < columns.size(); ++i) out << (i ? "," : "") << columns[i];
    out << "\r\n";
  }
  const int64_t total = journal.approximate_entries();
  const auto copies = request.with_duplicates ? projections::JournalCopies::kAll : projections::JournalCopies::kFirstOnly;
  projections::JournalFirstCopies first_copies(journal);  // the one customer's path
  auto write = [&](const projections::JournalEntry& entry) -> Status {
    ++stats.read;
    if (progress && stats.read % 10'000 == 0) progress(stats.read, total);
    if (entry.value.empty()) return Status::Ok();  // a filler, not an event
    if (request.customer_id && copies == projections::JournalCopies::kFirstOnly) {
      auto keep = first_copies.Keep(entry);
      if (!keep.ok()) return keep.status();
      if (!*keep) {
        ++stats.duplicates;
        return Status::Ok();
      }
    }
    auto event = events::DecodeWire(entry.value);
    if (!event.ok()) {
      ++stats.undecodable;
      spdlog::warn("export: partition {} offset {} does not decode: {}", entry.partition.value(),
                   entry.offset.value(), event.status().ToString());
      return Status::Ok();
    }
    if (request.from_ms && event->occurred_at_ms < *request.from_ms) return Status::Ok();
    if (request.to_ms && event->occurred_at_ms > *request.to_ms) return Status::Ok();
    if (!request.types.empty() && !request.types.contains(event->type())) return Status::Ok();
    const nlohmann::json object = events::EventToJson(*event);
    if (request.format == ExportFormat::kJsonl) {
      out << object.dump() << '\n';
    } else {
      WriteCsvRow(out, columns, object);
    }
    if (!out) return Status::Unavailable("export: cannot write the output");
    ++stats.written;
    return Status::Ok();
  };

  if (request.customer_id) {
    // The customer index is by occurred_at: read just that customer's range.
    const int64_t from = request.from_ms.value_or(INT64_MIN);
    const int64_t to = request.to_ms ? (*request.to_ms == INT64_MAX ? INT64_MAX : *request.to_ms + 1) : INT64_MAX;
    RAPPORT_RETURN_IF_ERROR(journal.ScanCustomer(*request.customer_id, from, to, write));
  } else {
    auto partitions = journal.Partitions();
    if (!partitions.ok()) return partitions.status();
    std::map<Partition, projections::OffsetRange> ranges;
    for (Partition partition : *partitions) {
      auto end = journal.EndOffset(partition);
      if (!end.ok()) return end.status();
      ranges[partition] = {Offset(0), *end};
    }
    projections::JournalMerge merge(journal, ranges, 4096, copies);
    std::vector<projections::JournalEntry> entries;
    while (true) {
      entries.clear();
      auto more = merge.Next(4096, entries);
      if (!more.ok()) return more.status();
      if (!*more) break;
      for (const auto& entry : entries) RAPPORT_RETURN_IF_ERROR(write(entry));
    }
  }
  out.flush();
  if (progress) progress(stats.read, std::max(total, stats.read));
  return stats;
}

}  // namespace rapport::services
