#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <future>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "services/config/config.h"
#include "services/process/process_memory.h"
#include "tests/support/temp_dir.h"

namespace rapport::services {
namespace {

long ResidentBytes() {
  std::ifstream statm("/proc/self/statm");
  long size = 0, resident = 0;
  statm >> size >> resident;
  return resident * ::sysconf(_SC_PAGESIZE);
}

TEST_CASE("process memory: malloc.* are bound by their dotted names", "[process_memory]") {
  testing::TempDir dir;
  const auto path = dir.path() / "config.yaml";
  std::ofstream(path) << "malloc:\n  arenas: 4\n  mmap_threshold_kb: 1024\n  trim_interval_ms: 250\n"
                          "  fastbin_max_bytes: 64\n";
  Config config;
  CHECK(config.malloc_tuning.arenas == 0);
  CHECK(config.malloc_tuning.mmap_threshold_kb == 0);
  CHECK(config.malloc_tuning.trim_interval_ms == 1000);
  CHECK(config.malloc_tuning.fastbin_max_bytes == 0);
  REQUIRE(LoadConfigFile(path, config).ok());
  CHECK(config.malloc_tuning.arenas == 4);
  CHECK(config.malloc_tuning.mmap_threshold_kb == 1024);
  CHECK(config.malloc_tuning.trim_interval_ms == 250);
  CHECK(config.malloc_tuning.fastbin_max_bytes == 64);
}

TEST_CASE("process memory: an invalid malloc setting is an error naming it, and nothing is applied",
          "[process_memory]") {
  CHECK(CheckMallocSettings(MallocSettings{}).ok());
  CHECK(CheckMallocSettings(MallocSettings{.arenas = 0, .mmap_threshold_kb = 0, .trim_interval_ms = 0}).ok());
  CHECK(CheckMallocSettings(MallocSettings{.fastbin_max_bytes = 160}).ok());
  struct Case {
    MallocSettings settings;
    const char* field;
  };
  for (const Case& c : {Case{{.arenas = -1}, "malloc.arenas"}, Case{{.arenas = 65}, "malloc.arenas"},
                        Case{{.mmap_threshold_kb = -1}, "malloc.mmap_threshold_kb"},
                        Case{{.mmap_threshold_kb = 32 * 1024 + 1}, "malloc.mmap_threshold_kb"},
                        Case{{.trim_interval_ms = -5}, "malloc.trim_interval_ms"},
                        Case{{.trim_interval_ms = 5}, "malloc.trim_interval_ms"},
                        Case{{.fastbin_max_bytes = -1}, "malloc.fastbin_max_bytes"},
                        Case{{.fastbin_max_bytes = 161}, "malloc.fastbin_max_bytes"}}) {
    Status checked = CheckMallocSettings(c.settings);
    CHECK(checked.code() == StatusCode::kInvalidArgument);
    CHECK(checked.field() == c.field);
    Status applied = ApplyMallocSettings(c.settings);
    CHECK(applied.field() == c.field);
  }
  CHECK(ApplyMallocSettings(MallocSettings{}).ok());
}

TEST_CASE("process memory: the trimmer gives free pages inside the heap back to the system", "[process_memory]") {
  // 128 MiB of 4 KiB blocks, then free all but every 32nd: the heap stays as large
  // (its top is still used), and free() alone returns nothing from its middle.
  constexpr size_t kBlock = 4096, kBlocks = 32 * 1024;
  std::vector<char*> blocks(kBlocks);
  for (auto& block : blocks) {
    block = static_cast<char*>(std::malloc(kBlock));
    std::fill_n(block, kBlock, 'x');  // touched: resident
  }
  for (size_t i = 0; i < kBlocks; ++i) {
    if (i % 32 != 31) {
      std::free(blocks[i]);
      blocks[i] = nullptr;
    }
  }
  const long before = ResidentBytes();
  {
    MallocTrimmer trimmer(std::chrono::milliseconds(10));
    for (int i = 0; i < 500 && trimmer.trims() < 2; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(trimmer.trims() >= 2);
  }
  const long after = ResidentBytes();
  CHECK(before - after > 64L << 20);
  for (char* block : blocks) std::free(block);
}

TEST_CASE("process memory: a zero interval trims never, and stopping does not wait for the interval",
          "[process_memory]") {
  {
    MallocTrimmer never(std::chrono::milliseconds(0));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    CHECK(never.trims() == 0);
  }
  auto stopped = std::async(std::launch::async, [] {
    MallocTrimmer hourly(std::chrono::hours(1));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    return hourly.trims();
  });
  REQUIRE(stopped.wait_for(std::chrono::seconds(10)) == std::future_status::ready);
  CHECK(stopped.get() == 0);
}

}  // namespace
}  // namespace rapport::services
