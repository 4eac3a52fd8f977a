#pragma once
// A stop request that a background loop sleeps on: Stop() wakes every waiter at once,
// so a process shuts down without waiting out a refresh period. Thread-safe.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>

namespace rapport::services {

class StopSignal {
 public:
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopped_ = true;
    }
    wake_.notify_all();
  }

  bool stopped() const { return stopped_.load(); }
  // For readers that poll a flag (events::TopicReadOptions::follow_until).
  const std::atomic<bool>* flag() const { return &stopped_; }

  // Sleeps for `period`, or less when stopped; true when stopped.
  template <typename Rep, typename Period>
  bool WaitFor(std::chrono::duration<Rep, Period> period) {
    std::unique_lock lock(mutex_);
    return wake_.wait_for(lock, period, [this] { return stopped_.load(); });
  }

 private:
  std::mutex mutex_;
  std::condition_variable wake_;
  std::atomic<bool> stopped_{false};
};

}  // namespace rapport::services
