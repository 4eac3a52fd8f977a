#include "services/access/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace rapport::services {

RateLimiter::RateLimiter(const AccessSettings& settings) {
  const auto& r = settings.rate_limits;
  limits_[static_cast<int>(Role::kPublish)] = r.publish;
  limits_[static_cast<int>(Role::kRead)] = r.read;
  limits_[static_cast<int>(Role::kAlerts)] = r.alerts;
  limits_[static_cast<int>(Role::kAnalyst)] = r.analyst;
  limits_[static_cast<int>(Role::kMetrics)] = r.metrics;
  limits_[static_cast<int>(Role::kAdmin)] = r.admin;
}

std::optional<std::chrono::milliseconds> RateLimiter::Take(const std::string& credential, Role role,
                                                           Clock::time_point now) {
  const RateLimit& limit = limits_[static_cast<int>(role)];
  if (limit.per_second <= 0) return std::nullopt;
  const double size = limit.burst > 0 ? limit.burst : std::max(1.0, limit.per_second);
  std::lock_guard lock(mutex_);
  auto [it, fresh] = buckets_.try_emplace({credential, role}, Bucket{size, now});
  Bucket& bucket = it->second;
  const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
  bucket.tokens = std::min(size, bucket.tokens + elapsed * limit.per_second);
  bucket.refilled = now;
  if (bucket.tokens >= 1) {
    bucket.tokens -= 1;
    return std::nullopt;
  }
  const double wait_seconds = (1 - bucket.tokens) / limit.per_second;
  return std::chrono::milliseconds(static_cast<int64_t>(std::ceil(wait_seconds * 1000)));
}

}  // namespace rapport::services
