#pragma once
// The access log: one JSON line per request, apart from the application log, e.g.
//   {"time":"2026-12-08T00:30:00.123Z","request_id":"5f0c...","credential":"ops",
//    "method":"GET","path":"/v1/customers/c-1","route":"/v1/customers/([^/]+)",
//    "status":200,"duration_ms":0.42,"bytes":311,"remote":"127.0.0.1"}
// `route` is the matched route's pattern ("" when none matched); `bytes` counts the
// body sent (every event of a stream). Thread-safe: each line is written whole.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

#include "events/status.h"

namespace rapport::services {

struct AccessRecord {
  int64_t start_ms = 0;  // wall clock, epoch ms
  std::string request_id = {};
  std::string credential = {};
  std::string method = {};
  std::string path = {};
  std::string route = {};
  int status = 0;
  double duration_ms = 0;
  uint64_t bytes = 0;
  std::string remote = {};
};

class AccessLog {
 public:
  // Appends to `path` (created when missing); errors name http.access_log.
  static Result<std::unique_ptr<AccessLog>> Open(const std::filesystem::path& path);
  ~AccessLog();
  AccessLog(const AccessLog&) = delete;
  AccessLog& operator=(const AccessLog&) = delete;

  void Write(const AccessRecord& record);

 private:
  explicit AccessLog(std::FILE* file) : file_(file) {}
  std::mutex mutex_;
  std::FILE* file_;
};

// The caller's X-Request-Id when it is 1..128 printable ASCII characters, else a new
// random one (32 hex digits).
std::string RequestIdFor(std::string_view given);

}  // namespace rapport::services
