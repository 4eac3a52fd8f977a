#pragma once
// What a running `rapport up` says about its projectors (GET /readyz), for the load
// programs that must wait until the projections have caught up before they measure.

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdint>
#include <string>
#include <thread>

#include "bench/bench_util.h"

namespace rapport::bench {

// Records each projector has finished with (applied, duplicates and dead-lettered),
// the least over the projectors; or only `projector`'s when given. -1 when the
// status cannot be read.
inline int64_t ProjectorsDone(httplib::Client& client, const std::string& projector = "") {
  auto response = client.Get("/readyz");
  if (!response) return -1;
  auto body = nlohmann::json::parse(response->body, nullptr, false);
  if (body.is_discarded() || !body.contains("projectors")) return -1;
  int64_t least = -1;
  for (const auto& [name, p] : body["projectors"].items()) {
    if (!projector.empty() && name != projector) continue;
    const int64_t n =
        p.value("applied", int64_t{0}) + p.value("duplicates", int64_t{0}) + p.value("dead_lettered", int64_t{0});
    least = least < 0 ? n : std::min(least, n);
  }
  return least;
}

// Waits until `projector` has finished with at least `at_least` records and its
// count has not moved for `quiet` (a pause alone can be a ranking rebuild), for at
// most `limit`. Returns whether it caught up.
inline bool WaitUntilCaughtUp(httplib::Client& client, const std::string& projector, std::chrono::seconds limit,
                              int64_t at_least, std::chrono::milliseconds quiet = std::chrono::milliseconds(1500)) {
  const auto start = Clock::now();
  int64_t last = ProjectorsDone(client, projector);
  auto unchanged_since = Clock::now();
  while (Clock::now() - start < limit) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const int64_t now = ProjectorsDone(client, projector);
    if (now != last) {
      last = now;
      unchanged_since = Clock::now();
    } else if (now >= at_least && Clock::now() - unchanged_since >= quiet) {
      return true;
    }
  }
  return false;
}

}  // namespace rapport::bench
