#pragma once
// Event time on the wire: RFC 3339 text ("2026-03-01T10:15:00Z", offsets and
// fractional seconds allowed) or integer epoch milliseconds. Internally always UTC
// epoch milliseconds.

#include <cstdint>
#include <string>
#include <string_view>

#include "events/status.h"

namespace rapport::events {

inline constexpr int64_t kMillisPerDay = 86'400'000;

// A UTC calendar date, and days since 1970-01-01 to and from it.
struct CivilDate {
  int64_t year;
  unsigned month;  // 1..12
  unsigned day;    // 1..31
};
int64_t DaysFromCivil(int64_t year, unsigned month, unsigned day);
CivilDate CivilFromDays(int64_t days);

// Parses RFC 3339 into UTC epoch ms. The error names `field` and says what is wrong.
Result<int64_t> ParseRfc3339(std::string_view text, std::string_view field);

// Formats UTC epoch ms as RFC 3339 with a "Z" suffix; milliseconds shown only when
// non-zero ("2026-03-01T10:15:00Z", "2026-03-01T10:15:00.250Z").
std::string FormatRfc3339(int64_t epoch_ms);

}  // namespace rapport::events
