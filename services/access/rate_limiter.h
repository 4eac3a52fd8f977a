#pragma once
// Per-credential request rate limits: one token bucket per credential and role,
// sized by the role's access.rate_limits.<role> settings (off when per_second is
// 0, the default). Thread-safe.

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "services/access/roles.h"
#include "services/config/access_settings.h"

namespace rapport::services {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(const AccessSettings& settings);

  // Takes one request from the bucket of (`credential`, `role`): nullopt when
  // allowed, else how long until one would be.
  std::optional<std::chrono::milliseconds> Take(const std::string& credential, Role role,
                                                Clock::time_point now = Clock::now());

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point refilled;
  };
  RateLimit limits_[kRoleCount];
  std::mutex mutex_;
  std::map<std::pair<std::string, Role>, Bucket> buckets_;  // guarded by mutex_
};

}  // namespace rapport::services
