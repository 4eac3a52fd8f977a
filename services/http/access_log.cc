#include "services/http/access_log.h"

#include <cerrno>
#include <cstring>
#include <random>

#include <nlohmann/json.hpp>

#include "events/time_format.h"

namespace rapport::services {

Result<std::unique_ptr<AccessLog>> AccessLog::Open(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "ae");
  if (!file) {
    return Status::InvalidArgument("http.access_log", "cannot open " + path.string() + ": " + std::strerror(errno));
  }
  return std::unique_ptr<AccessLog>(new AccessLog(file));
}

AccessLog::~AccessLog() { std::fclose(file_); }

void AccessLog::Write(const AccessRecord& record) {
  nlohmann::json line = {{"time", events::FormatRfc3339(record.start_ms)},
                         {"request_id", record.request_id},
                         {"credential", record.credential},
                         {"method", record.method},
                         {"path", record.path},
                         {"route", record.route},
                         {"status", record.status},
                         {"duration_ms", record.duration_ms},
                         {"bytes", record.bytes},
                         {"remote", record.remote}};
  // Replace, not throw, on invalid UTF-8 in a path: the log must never fail a request.
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::lock_guard lock(mutex_);
  std::fwrite(text.data(), 1, text.size(), file_);
  std::fflush(file_);  // a line is on disk (in the page cache) when its response is
}

std::string RequestIdFor(std::string_view given) {
  bool usable = !given.empty() && given.size() <= 128;
  for (char c : given) usable = usable && c > 0x20 && c < 0x7f;
  if (usable) return std::string(given);
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(32, '0');
  for (int half = 0; half < 2; ++half) {
    uint64_t bits = random();
    for (int i = 0; i < 16; ++i, bits >>= 4) out[half * 16 + i] = kHex[bits & 0xf];
  }
  return out;
}

}  // namespace rapport::services
