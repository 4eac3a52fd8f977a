#pragma once
// Where the gateway's ingest work runs: decoding a batch, encoding it, publishing it
// and waiting for the broker and the journal. An HTTP worker hands each POST
// /v1/events here and waits, so that work runs on threads with a higher nice value
// (`gateway.ingest_nice`) than the HTTP workers that answer queries. On a small
// machine a GET /v1/customers/{id} then does not queue for a core behind a batch of
// 1,000 events being decoded; without contention nothing changes.
//
// As many threads as HTTP workers, so the pool adds no limit of its own: a waiting
// ingest (broker acknowledgement, journal fsync) holds a pool thread as it held an
// HTTP worker before. Thread-safe.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace rapport::services {

class IngestPool {
 public:
  IngestPool(size_t threads, int nice);
  ~IngestPool();  // waits for the work in hand, then joins
  IngestPool(const IngestPool&) = delete;
  IngestPool& operator=(const IngestPool&) = delete;

  // Runs `work` on a pool thread and returns when it has finished.
  void Run(const std::function<void()>& work);

 private:
  struct Job;
  void Work(int nice);

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job*> jobs_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace rapport::services
