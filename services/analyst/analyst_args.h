#pragma once
// Parsing of the analysts' command-line values (replay, export). Every error names
// the flag and says what was expected.

#include <cstdint>
#include <map>
#include <set>
#include <string_view>

#include "events/event.h"
#include "events/status.h"
#include "events/strong_types.h"
#include "services/analyst/history_export.h"

namespace rapport::services {

// RFC 3339 ("2026-03-01T00:00:00Z", offsets allowed), a date ("2026-03-01": that
// day's start, UTC) or integer epoch milliseconds.
Result<int64_t> ParseTimeFlag(std::string_view text, std::string_view flag);

// "0:120,1:98": partition:next-offset pairs, each partition once.
Result<std::map<Partition, Offset>> ParseToOffsets(std::string_view text, std::string_view flag);

// "purchase,refund": event type names as in JSON.
Result<std::set<events::EventType>> ParseEventTypes(std::string_view text, std::string_view flag);

// "jsonl" or "csv".
Result<ExportFormat> ParseExportFormat(std::string_view text, std::string_view flag);

}  // namespace rapport::services
