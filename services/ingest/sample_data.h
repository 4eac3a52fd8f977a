#pragma once
// A generated, deterministic customer population for `make run`, tests and
// benchmarks: a year of event time with archetypes a CRM analyst recognises (loyal
// regulars, big spenders, new and potential customers, decliners, complainers,
// win-backs, duplicates merged, customers erased, a few prospects dormant since two
// years before the sample year), so every tier, lifecycle stage, value x loyalty
// quadrant and the `inactive` mark show up. Same options, same events, byte for byte.

#include <cstdint>
#include <vector>

#include "events/event.h"
#include "events/status.h"

namespace rapport::services {

class Gateway;

struct SampleOptions {
  int customers = 2000;
  int64_t start_ms = 1735689600000;  // 2025-01-01T00:00:00Z
  int days = 365;
  uint64_t seed = 42;
  // Mean events per customer is about 12; scale the population for more events.
};

// Events in occurred_at order (customers interleave; each customer's in order).
std::vector<events::Event> GenerateSampleHistory(const SampleOptions& options);

// Publishes the sample through the gateway in batches; returns the event count.
Result<int64_t> LoadSampleData(Gateway& gateway, const SampleOptions& options);

}  // namespace rapport::services
