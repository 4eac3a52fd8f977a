#pragma once
// How a long-running rapport process uses glibc malloc. `rapport up` runs ~110
// threads (HTTP workers, librdkafka brokers and consumers, RocksDB, projectors):
// left alone, glibc gives them up to 8 arenas per core and keeps what they free,
// and its mmap threshold grows to 32 MiB once a large buffer is freed, so later
// ones can land in the arenas too. At 1,000,000 customers
// that held-but-free memory was about a third of the peak RSS (bench/up_rss_bench).
// Hence a background malloc_trim(0) that returns free pages from inside every arena
// (1,106 -> 722 MiB peak at 1M customers, the same end-to-end rate), and optionally
// a fixed mmap threshold (big buffers mapped and given back on free) or fewer arenas.
//
// ApplyMallocSettings once at start, before other threads exist (mallopt's arena
// limit only binds threads that have not picked an arena yet). Settings: malloc.*
// in docs/configuration.md. Not thread-safe; the trimmer is.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>

#include "events/status.h"

namespace rapport::services {

struct MallocSettings {
  // M_ARENA_MAX; 0 keeps glibc's default (8 per core). With 2, the 64 HTTP workers
  // contend: the gateway ran at 8,300 events/s at 1M customers, 21,600 with 0.
  int arenas = 0;
  // M_MMAP_THRESHOLD, fixed; 0 keeps glibc's sliding default. 256 gave no lower peak
  // than the trim alone at 1M customers, and an unclear gateway rate: off by default.
  int64_t mmap_threshold_kb = 0;
  int trim_interval_ms = 1000;         // period of malloc_trim(0); 0: never
  // M_MXFAST: the largest request served from fastbins; 0 turns them off (glibc's
  // own default is 128). With fastbins, every request of about a KiB or more first
  // consolidates them (malloc_consolidate), which was ~3 % of a query's CPU; with them
  // off, small blocks still come from glibc's per-thread cache.
  int fastbin_max_bytes = 0;
};

// Errors name the setting (malloc.*).
Status CheckMallocSettings(const MallocSettings& settings);

// Checks, then sets the arena limit and the mmap threshold (those not 0).
Status ApplyMallocSettings(const MallocSettings& settings);

// Calls malloc_trim(0) every `interval` on its own thread until destroyed.
// A zero interval starts nothing.
class MallocTrimmer {
 public:
  explicit MallocTrimmer(std::chrono::milliseconds interval);
  ~MallocTrimmer();
  MallocTrimmer(const MallocTrimmer&) = delete;
  MallocTrimmer& operator=(const MallocTrimmer&) = delete;

  int64_t trims() const;  // completed trims so far

 private:
  void Loop(std::chrono::milliseconds interval);

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;  // guarded by mutex_
  int64_t trims_ = 0;      // guarded by mutex_
  std::thread thread_;
};

}  // namespace rapport::services
