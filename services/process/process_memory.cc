#include "services/process/process_memory.h"

#include <malloc.h>

#include <string>

#include "services/process/thread_name.h"

namespace rapport::services {

Status CheckMallocSettings(const MallocSettings& settings) {
  if (settings.arenas < 0 || settings.arenas > 64) {
    return Status::InvalidArgument("malloc.arenas",
                                   "must be between 0 (glibc's default) and 64, got " + std::to_string(settings.arenas));
  }
  // glibc caps the threshold at 32 MiB (HEAP_MAX_SIZE / 2 on 64-bit).
  if (settings.mmap_threshold_kb < 0 || settings.mmap_threshold_kb > 32 * 1024) {
    return Status::InvalidArgument("malloc.mmap_threshold_kb", "must be between 0 (glibc's default) and 32768, got " +
                                                                   std::to_string(settings.mmap_threshold_kb));
  }
  constexpr int kMaxFastbinBytes = 80 * sizeof(size_t) / 4;  // glibc's MAX_FAST_SIZE
  if (settings.fastbin_max_bytes < 0 || settings.fastbin_max_bytes > kMaxFastbinBytes) {
    return Status::InvalidArgument("malloc.fastbin_max_bytes", "must be between 0 (no fastbins) and " +
                                                                   std::to_string(kMaxFastbinBytes) + ", got " +
                                                                   std::to_string(settings.fastbin_max_bytes));
  }
  if (settings.trim_interval_ms < 0 || (settings.trim_interval_ms > 0 && settings.trim_interval_ms < 10)) {
    return Status::InvalidArgument("malloc.trim_interval_ms",
                                   "must be 0 (never) or at least 10, got " + std::to_string(settings.trim_interval_ms));
  }
  return Status::Ok();
}

Status ApplyMallocSettings(const MallocSettings& settings) {
  RAPPORT_RETURN_IF_ERROR(CheckMallocSettings(settings));
  if (settings.arenas > 0 && mallopt(M_ARENA_MAX, settings.arenas) != 1) {
    return Status::Internal("mallopt(M_ARENA_MAX, " + std::to_string(settings.arenas) + ") failed");
  }
  if (mallopt(M_MXFAST, settings.fastbin_max_bytes) != 1) {
    return Status::Internal("mallopt(M_MXFAST, " + std::to_string(settings.fastbin_max_bytes) + ") failed");
  }
  if (settings.mmap_threshold_kb > 0) {
    const int bytes = static_cast<int>(settings.mmap_threshold_kb * 1024);
    if (mallopt(M_MMAP_THRESHOLD, bytes) != 1) {
      return Status::Internal("mallopt(M_MMAP_THRESHOLD, " + std::to_string(bytes) + ") failed");
    }
  }
  return Status::Ok();
}

MallocTrimmer::MallocTrimmer(std::chrono::milliseconds interval) {
  if (interval.count() > 0) thread_ = std::thread([this, interval] {
    NameThisThread("malloc-trim");
    Loop(interval);
  });
}

MallocTrimmer::~MallocTrimmer() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int64_t MallocTrimmer::trims() const {
  std::lock_guard lock(mutex_);
  return trims_;
}

void MallocTrimmer::Loop(std::chrono::milliseconds interval) {
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    malloc_trim(0);  // returns free pages of every arena, not only the top of the main heap
    lock.lock();
    ++trims_;
  }
}

}  // namespace rapport::services
