#include "events/time_format.h"

#include <cstdio>

#include "events/utf8.h"

namespace rapport::events {
namespace {

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned DaysInMonth(int64_t y, unsigned m) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

// Reads exactly `width` digits at `pos`.
bool ReadDigits(std::string_view text, size_t pos, size_t width, int& out) {
  if (pos + width > text.size()) return false;
  int value = 0;
  for (size_t i = pos; i < pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    value = value * 10 + (text[i] - '0');
  }
  out = value;
  return true;
}

}  // namespace

// H. Hinnant's algorithms, proleptic Gregorian calendar.
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

CivilDate CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}


Result<int64_t> ParseRfc3339(std::string_view text, std::string_view field) {
  const std::string name(field);
  auto bad = [&](const std::string& why) {
    return Status::InvalidArgument(name, why + " (expected RFC 3339 such as 2026-03-01T10:15:00Z), got \"" +
                                             std::string(Utf8Prefix(text, 40)) + "\"");
  };
  int year, month, day, hour, minute, second;
  if (!ReadDigits(text, 0, 4, year) || text.size() < 19 || text[4] != '-' || !ReadDigits(text, 5, 2, month) ||
      text[7] != '-' || !ReadDigits(text, 8, 2, day) || (text[10] != 'T' && text[10] != 't' && text[10] != ' ') ||
      !ReadDigits(text, 11, 2, hour) || text[13] != ':' || !ReadDigits(text, 14, 2, minute) || text[16] != ':' ||
      !ReadDigits(text, 17, 2, second)) {
    return bad("malformed timestamp");
  }
  if (month < 1 || month > 12) return bad("month out of range");
  if (day < 1 || static_cast<unsigned>(day) > DaysInMonth(year, static_cast<unsigned>(month))) {
    return bad("day out of range");
  }
  if (hour > 23 || minute > 59 || second > 60) return bad("time of day out of range");
  if (second == 60) second = 59;  // leap second: clamp, epoch time has none

  size_t pos = 19;
  int64_t millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    size_t digits = 0;
    int64_t scale = 100;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis += (text[pos] - '0') * scale, scale /= 10;
      ++digits;
      ++pos;
    }
    if (digits == 0) return bad("fraction without digits");
  }
  if (pos >= text.size()) return bad("missing time zone offset");
  int64_t offset_minutes = 0;
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    const int sign = text[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!ReadDigits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !ReadDigits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return bad("malformed time zone offset");
    }
    offset_minutes = sign * (oh * 60 + om);
    pos += 6;
  } else {
    return bad("malformed time zone offset");
  }
  if (pos != text.size()) return bad("trailing characters");

  const int64_t days = DaysFromCivil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  const int64_t seconds = days * 86400 + hour * 3600 + minute * 60 + second - offset_minutes * 60;
  return seconds * 1000 + millis;
}

std::string FormatRfc3339(int64_t epoch_ms) {
  int64_t days = epoch_ms / kMillisPerDay;
  int64_t rest = epoch_ms % kMillisPerDay;
  if (rest < 0) rest += kMillisPerDay, --days;
  const CivilDate date = CivilFromDays(days);
  const int64_t seconds = rest / 1000;
  const int millis = static_cast<int>(rest % 1000);
  if (date.year < 0 || date.year > 9999) {  // outside RFC 3339's four digits: printf's widening form
    char buffer[48];
    if (millis == 0) {
      std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ", static_cast<long long>(date.year),
                    date.month, date.day, static_cast<long long>(seconds / 3600),
                    static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
    } else {
      std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lld.%03dZ",
                    static_cast<long long>(date.year), date.month, date.day, static_cast<long long>(seconds / 3600),
                    static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60), millis);
    }
    return buffer;
  }
  // Digit by digit: a customer answer formats a dozen times, and snprintf was a
  // tenth of a GET /v1/customers/{id}.
  char buffer[24];
  auto put = [&buffer](size_t at, int64_t value, int width) {
    for (int i = width - 1; i >= 0; --i, value /= 10) buffer[at + static_cast<size_t>(i)] = static_cast<char>('0' + value % 10);
  };
  put(0, date.year, 4);
  buffer[4] = '-';
  put(5, date.month, 2);
  buffer[7] = '-';
  put(8, date.day, 2);
  buffer[10] = 'T';
  put(11, seconds / 3600, 2);
  buffer[13] = ':';
  put(14, seconds / 60 % 60, 2);
  buffer[16] = ':';
  put(17, seconds % 60, 2);
  if (millis == 0) {
    buffer[19] = 'Z';
    return std::string(buffer, 20);
  }
  buffer[19] = '.';
  put(20, millis, 3);
  buffer[23] = 'Z';
  return std::string(buffer, 24);
}

}  // namespace rapport::events
