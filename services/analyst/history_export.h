#pragma once
// `rapport export`: the history from the event journal, for analysts and for
// re-publishing. JSON Lines are exactly the gateway's JSON (events/json_codec.h),
// recorded_at included, so an export POSTed again as application/x-ndjson gives the
// same events (the gateway stamps a new recorded_at). CSV has one column set per
// type (CsvColumns; docs/analysts.md): the common fields, then the type's fields;
// with several types, the union of their columns in a fixed order, a field shared
// by two types (order_id, amount, category, complaint_id) in one column, empty where
// a row's type has no such field.
//
// Events come in event-time order (occurred_at; partitions merged, see
// storage/journal_merge.h), one customer's in time order, each event once (its
// first accepted copy, storage/journal_first_copies.h) unless with_duplicates.
// Read-only.

#include <cstdint>
#include <functional>
#include <optional>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "storage/journal.h"

namespace rapport::services {

enum class ExportFormat { kJsonl, kCsv };

struct ExportRequest {
  std::optional<int64_t> from_ms;  // occurred_at >= from
  std::optional<int64_t> to_ms;    // occurred_at <= to
  std::optional<std::string> customer_id;
  std::set<events::EventType> types;  // empty: every type
  ExportFormat format = ExportFormat::kJsonl;
  // The raw log, every copy of an event a journal from before the idempotent
  // append holds (audits); otherwise each event once, its first accepted copy.
  bool with_duplicates = false;
};

struct ExportStats {
  int64_t read = 0;
  int64_t written = 0;
  int64_t undecodable = 0;  // journal entries that do not decode (skipped, counted)
  int64_t duplicates = 0;   // later copies of an event left out (one customer's export only)
};

// A text cell as the CSV export writes it: one that starts with '=', '+', '-', '@',
// a tab or a carriage return gets a leading single quote, so a spreadsheet shows it
// as text instead of running it as a formula (OWASP, CSV injection).
std::string NeutralisedCsvText(std::string text);

// The CSV header for `types` (empty: every type).
std::vector<std::string> CsvColumns(const std::set<events::EventType>& types);

// Writes the selected events to `out`. `progress(done, total)` is called now and
// then with entries read and the journal's approximate size.
Result<ExportStats> ExportHistory(const projections::Journal& journal, const ExportRequest& request,
                                  std::ostream& out,
                                  const std::function<void(int64_t, int64_t)>& progress = {});

}  // namespace rapport::services
