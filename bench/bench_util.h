#pragma once
// Small shared pieces of the benchmark programs: timing, medians, peak RSS, the
// shared sample population and the "RESULT name value" lines bench/run.sh collects
// into build-release/bench/results.json.

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "events/wire_codec.h"
#include "services/ingest/sample_data.h"

namespace rapport::bench {

using Clock = std::chrono::steady_clock;

// The token `rapport up` writes to `<data_dir>/admin.token` on its first start
// (every role; docs/security.md), waiting up to 60 s for it; "" when it never
// appears. Every request to a rapport route but /healthz and /readyz sends it.
inline std::string AdminToken(const std::filesystem::path& data_dir) {
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  for (;;) {
    std::ifstream in(data_dir / "admin.token");
    std::string token;
    if (in && std::getline(in, token) && !token.empty()) return token;
    if (Clock::now() >= deadline) return "";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

inline double SecondsSince(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

inline double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// The value at quantile q (0..1) of `values` (sorted in place).
inline double Quantile(std::vector<double>& values, double q) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<size_t>(q * static_cast<double>(values.size() - 1) + 0.5);
  return values[std::min(index, values.size() - 1)];
}

inline long PeakRssMib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024;
}

// A machine-readable figure for results.json, and a human line beside it.
inline void Result(const std::string& name, double value, const char* unit, const char* what) {
  // Fractions and milliseconds get three decimals, rates and counts one.
  std::printf(value > -100 && value < 100 ? "%-44s %14.3f %-10s %s\n" : "%-44s %14.1f %-10s %s\n", name.c_str(), value,
              unit, what);
  std::printf("RESULT %s %.3f\n", name.c_str(), value);
  std::fflush(stdout);
}

// Repetitions for medians of the cheap figures (codec, consume-only, the customer
// view's Kafka window, raw RocksDB): BENCH_REPEAT, default 3.
inline int Repeats() {
  const char* text = std::getenv("BENCH_REPEAT");
  const int value = text == nullptr ? 3 : std::atoi(text);
  return value > 0 ? value : 3;
}

// Repetitions of the expensive figures (folds, the other projections' windows):
// BENCH_REPEAT_EXPENSIVE, default 1, so that `make bench` stays within 20 minutes.
inline int ExpensiveRepeats() {
  const char* text = std::getenv("BENCH_REPEAT_EXPENSIVE");
  const int value = text == nullptr ? 1 : std::atoi(text);
  return value > 0 ? value : 1;
}

// The sample options of a program run as `<program> [customers] ...`: argv[1]
// customers, else `default_customers`.
inline services::SampleOptions SampleFromArgs(int argc, char** argv, int default_customers) {
  services::SampleOptions sample;
  sample.customers = argc > 1 ? std::atoi(argv[1]) : default_customers;
  return sample;
}

// argv[`index`] as a count, else `fallback`.
inline size_t CountArg(int argc, char** argv, int index, size_t fallback) {
  return argc > index ? std::strtoull(argv[index], nullptr, 10) : fallback;
}

// A number from the environment, or `fallback`.
inline double EnvNumber(const char* name, double fallback) {
  const char* text = std::getenv(name);
  return text == nullptr || *text == '\0' ? fallback : std::atof(text);
}

// The sample population (services/ingest/sample_data.h), made once per run of `make bench`
// and shared by its programs: with BENCH_DATA_DIR set, the history is kept there as
// length-prefixed FlatBuffers envelopes, history-<customers>-<seed>.wire, and read
// back (verify + decode is ~20x cheaper than generating). Without it, or when the
// file is missing or does not decode, it is generated (and then written).
inline std::vector<events::Event> SampleHistory(const services::SampleOptions& options) {
  const char* dir = std::getenv("BENCH_DATA_DIR");
  if (dir == nullptr || *dir == '\0') return services::GenerateSampleHistory(options);
  const std::filesystem::path path = std::filesystem::path(dir) / ("history-" + std::to_string(options.customers) +
                                                                   "-" + std::to_string(options.seed) + ".wire");
  if (std::ifstream in(path, std::ios::binary); in) {
    std::vector<events::Event> history;
    std::string bytes;
    uint32_t size = 0;
    bool intact = true;
    while (intact && in.read(reinterpret_cast<char*>(&size), sizeof size)) {
      bytes.resize(size);
      auto event = in.read(bytes.data(), size) ? events::DecodeWire(bytes) : rapport::Result<events::Event>(rapport::Status::Corruption("short"));
      intact = event.ok();
      if (intact) history.push_back(std::move(*event));
    }
    if (intact && !history.empty()) return history;
  }
  auto history = services::GenerateSampleHistory(options);
  std::filesystem::create_directories(dir);
  const auto partial = path.string() + ".tmp-" + std::to_string(::getpid());
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    for (const auto& event : history) {
      const std::string bytes = events::EncodeWire(event);
      const auto size = static_cast<uint32_t>(bytes.size());
      out.write(reinterpret_cast<const char*>(&size), sizeof size);
      out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    }
  }
  std::filesystem::rename(partial, path);  // whole or not at all, for the next program
  return history;
}

// A fold bench's inputs, from `<program> [customers] [batch]` (defaults 100,000
// customers, batches of 10,000): the sample, the batch size and the generated history.
struct FoldInputs {
  services::SampleOptions sample;
  size_t batch = 0;
  std::vector<events::Event> history;
};

inline FoldInputs FoldInputsFromArgs(int argc, char** argv) {
  FoldInputs inputs;
  inputs.sample = SampleFromArgs(argc, argv, 100'000);
  inputs.batch = CountArg(argc, argv, 2, 10'000);
  inputs.history = services::GenerateSampleHistory(inputs.sample);
  return inputs;
}

}  // namespace rapport::bench
