#pragma once
// A one-line progress bar on stderr for long jobs (replay, export): share done,
// counts, events/s and ETA, redrawn at most 10 times a second. Draws nothing when
// stderr is not a terminal (logs and pipes stay clean). Single-threaded.

#include <chrono>
#include <cstdint>
#include <string>

namespace rapport::services {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label, bool enabled);
  // Enabled when stderr is a terminal.
  explicit ProgressBar(std::string label);
  ~ProgressBar() { Finish(); }

  // `done` of `total` (total <= 0: unknown); the rate is `done_this_run` (a resumed
  // job starts with done > 0) over `seconds` (< 0: since construction).
  void Update(int64_t done, int64_t total, int64_t done_this_run, double seconds = -1);
  // Ends the line (once).
  void Finish();

 private:
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point last_draw_{};
};

// "1.2M", "812k", "950".
std::string HumanCount(double value);

}  // namespace rapport::services
