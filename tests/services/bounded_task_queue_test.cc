// The HTTP server's connection limit: with every worker busy and the pending queue
// full, the accept side waits for room instead of queueing without bound.

#include "services/process/bounded_task_queue.h"

#include <atomic>
#include <future>
#include <thread>

#include <catch2/catch.hpp>

namespace rapport::services {
namespace {

TEST_CASE("bounded task queue: enqueue waits while workers are busy and the queue is full", "[http][limits]") {
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ran{0};
  {
    BoundedTaskQueue queue(/*workers=*/1, /*max_pending=*/1);
    queue.enqueue([&] {
      released.wait();  // a connection that holds the only worker
      ++ran;
    });
    // Wait until the worker took it, so the next one is pending.
    while (queue.pending() != 0) std::this_thread::yield();
    queue.enqueue([&] { ++ran; });  // pending: fits
    std::atomic<bool> third_in{false};
    std::thread acceptor([&] {
      queue.enqueue([&] { ++ran; });  // over the limit: waits
      third_in = true;
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK_FALSE(third_in);
    CHECK(queue.pending() == 1);
    release.set_value();
    acceptor.join();
    CHECK(third_in);
  }  // shutdown runs what is queued
  CHECK(ran == 3);
}

}  // namespace
}  // namespace rapport::services
