#include "services/ingest_pool.h"

#include <exception>

#include "services/thread_priority.h"

namespace rapport::services {

struct IngestPool::Job {
  const std::function<void()>* work = nullptr;
  bool done = false;
  std::exception_ptr failed;  // rethrown on the caller's thread, as if it had run there
  std::condition_variable finished;
};

IngestPool::IngestPool(size_t threads, int nice) {
  for (size_t i = 0; i < std::max<size_t>(1, threads); ++i) threads_.emplace_back([this, nice] { Work(nice); });
}

IngestPool::~IngestPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& thread : threads_) thread.join();
}

void IngestPool::Run(const std::function<void()>& work) {
  Job job;
  job.work = &work;
  std::unique_lock lock(mutex_);
  jobs_.push_back(&job);
  wake_.notify_one();
  job.finished.wait(lock, [&] { return job.done; });
  if (job.failed) std::rethrow_exception(job.failed);
}

void IngestPool::Work(int nice) {
  SetThisThreadNice(nice);
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [&] { return stopping_ || !jobs_.empty(); });
    if (jobs_.empty()) return;  // stopping, and nothing left in hand
    Job* job = jobs_.front();
    jobs_.pop_front();
    lock.unlock();
    std::exception_ptr failed;
    try {
      (*job->work)();
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    job->failed = failed;
    job->done = true;
    job->finished.notify_one();
  }
}

}  // namespace rapport::services
