#pragma once
// CPU priority of background threads. On a small machine the projectors (folding
// as fast as events arrive) and the archive consumer compete for the same cores as
// the HTTP workers and the Kafka client threads the gateway waits on; a request
// then waits behind a fold batch. Those throughput threads run at a higher nice
// value, so under contention the latency-bound ones get the CPU first and the
// projectors catch up when load drops. Without contention nothing changes.

#include "events/status.h"

namespace rapport::services {

// The nice value a background thread may be given: 0 (as the process) to 19.
Status CheckBackgroundNice(int nice, std::string_view setting);

// Raises the calling thread's nice value to `nice` (Linux: nice is per thread).
// Best effort: a failure is logged once and the thread runs on as it was.
void SetThisThreadNice(int nice);

}  // namespace rapport::services
