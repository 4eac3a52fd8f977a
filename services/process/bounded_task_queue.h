#pragma once
// The HTTP server's connection limit: `workers` threads serve connections (a
// keep-alive client holds one), at most `max_pending` accepted connections wait for
// a worker. Beyond that the accept loop waits for room, so further clients wait in
// the kernel's listen backlog (or are refused by it) instead of piling up memory
// and file descriptors in the process.
//
// Thread-safe: the accept thread enqueues, the workers run.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <httplib.h>

#include "services/process/thread_name.h"

namespace rapport::services {

class BoundedTaskQueue final : public httplib::TaskQueue {
 public:
  BoundedTaskQueue(size_t workers, size_t max_pending) : max_pending_(max_pending) {
    for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] {
      NameThisThread("http-worker");
      Work();
    });
  }
  ~BoundedTaskQueue() override { shutdown(); }

  void enqueue(std::function<void()> fn) override {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return jobs_.size() < max_pending_ || shutdown_; });
    jobs_.push_back(std::move(fn));
    work_.notify_one();
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      if (shutdown_ && threads_.empty()) return;
      shutdown_ = true;
    }
    work_.notify_all();
    room_.notify_all();
    for (auto& thread : threads_) thread.join();
    threads_.clear();
  }

  size_t pending() {
    std::lock_guard lock(mutex_);
    return jobs_.size();
  }

 private:
  void Work() {
    for (;;) {
      std::function<void()> fn;
      {
        std::unique_lock lock(mutex_);
        work_.wait(lock, [&] { return !jobs_.empty() || shutdown_; });
        if (shutdown_ && jobs_.empty()) return;
        fn = std::move(jobs_.front());
        jobs_.pop_front();
        room_.notify_one();
      }
      fn();  // serves one connection, then closes it
    }
  }

  const size_t max_pending_;
  std::mutex mutex_;
  std::condition_variable work_;
  std::condition_variable room_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  bool shutdown_ = false;
};

}  // namespace rapport::services
