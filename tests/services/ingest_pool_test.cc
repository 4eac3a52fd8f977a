// The gateway's ingest pool: work runs on a pool thread at the configured nice
// value, the caller returns only once it has finished, several callers run at once,
// and an exception reaches the caller.

#include "services/ingest_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

namespace rapport::services {
namespace {

int ThisThreadNice() {
  errno = 0;
  return getpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)));
}

TEST_CASE("ingest pool: work runs on another thread at the pool's nice value", "[http][ingest]") {
  const int caller_nice = ThisThreadNice();
  IngestPool pool(2, 7);
  int seen_nice = -100;
  std::thread::id ran_on;
  pool.Run([&] {
    seen_nice = ThisThreadNice();
    ran_on = std::this_thread::get_id();
  });
  CHECK(ran_on != std::this_thread::get_id());
  CHECK(seen_nice == std::max(caller_nice, 7));  // nice only goes up without privilege
  CHECK(ThisThreadNice() == caller_nice);        // the caller's own priority is untouched
}

TEST_CASE("ingest pool: Run returns after the work, and callers run concurrently", "[http][ingest]") {
  IngestPool pool(2, 0);
  std::atomic<int> inside{0};
  std::atomic<bool> met{true};
  std::atomic<int> finished{0};
  auto work = [&] {
    ++inside;
    // Each job waits until the other is running too; with one pool thread it would not be.
    const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (inside.load() < 2) {
      if (std::chrono::steady_clock::now() > give_up) {
        met = false;
        break;
      }
      std::this_thread::yield();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ++finished;
  };
  std::thread other([&] { pool.Run(work); });
  pool.Run(work);
  CHECK(finished.load() >= 1);  // this caller's own job is done when Run returns
  other.join();
  CHECK(met.load());
  CHECK(finished.load() == 2);
}

TEST_CASE("ingest pool: an exception in the work is rethrown to the caller", "[http][ingest]") {
  IngestPool pool(1, 0);
  CHECK_THROWS_WITH(pool.Run([] { throw std::runtime_error("decode blew up"); }), "decode blew up");
  int after = 0;
  pool.Run([&] { after = 1; });  // the pool still works
  CHECK(after == 1);
}

}  // namespace
}  // namespace rapport::services
