#pragma once
// Who may do what (services/access): the cluster secret's file and the per-role
// request rate limits. Every key is documented in docs/configuration.md.

#include <string>

namespace rapport::services {

// A token bucket per credential and role: `per_second` requests refill it, `burst`
// is its size. per_second 0 (the default) means no limit.
struct RateLimit {
  double per_second = 0;
  int burst = 0;  // 0: one second's worth (at least 1)
};

struct AccessSettings {
  // The HMAC key of the control topics (events/record_signature.h). Empty:
  // `<data-dir>/cluster.secret`, which `rapport up` creates on its first start.
  std::string cluster_secret_file;
  struct {
    RateLimit publish, read, alerts, analyst, metrics, admin;
  } rate_limits;
};

}  // namespace rapport::services
