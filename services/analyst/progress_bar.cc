#include "services/analyst/progress_bar.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace rapport::services {

std::string HumanCount(double value) {
  char out[32];
  if (value >= 1e6) {
    std::snprintf(out, sizeof out, "%.1fM", value / 1e6);
  } else if (value >= 1e4) {
    std::snprintf(out, sizeof out, "%.0fk", value / 1e3);
  } else {
    std::snprintf(out, sizeof out, "%.0f", value);
  }
  return out;
}

ProgressBar::ProgressBar(std::string label, bool enabled) : label_(std::move(label)), enabled_(enabled) {}
ProgressBar::ProgressBar(std::string label) : ProgressBar(std::move(label), ::isatty(STDERR_FILENO) == 1) {}

void ProgressBar::Update(int64_t done, int64_t total, int64_t done_this_run, double seconds_this_run) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && done < total) return;
  last_draw_ = now;
  drawn_ = true;
  const double seconds = std::max(
      1e-3, seconds_this_run >= 0 ? seconds_this_run : std::chrono::duration<double>(now - started_).count());
  const double rate = static_cast<double>(done_this_run) / seconds;
  constexpr int kWidth = 30;
  std::string bar;
  char eta[32] = "";
  if (total > 0) {
    const double share = std::clamp(static_cast<double>(done) / static_cast<double>(total), 0.0, 1.0);
    const int filled = static_cast<int>(share * kWidth);
    bar = "[" + std::string(filled, '#') + std::string(kWidth - filled, '.') + "] " +
          std::to_string(static_cast<int>(share * 100)) + "%  ";
    if (rate > 0 && done < total) {
      const auto left = static_cast<int64_t>(static_cast<double>(total - done) / rate);
      std::snprintf(eta, sizeof eta, "  ETA %lld:%02lld", static_cast<long long>(left / 60),
                    static_cast<long long>(left % 60));
    }
  }
  std::fprintf(stderr, "\r%s %s%s/%s  %s events/s%s   ", label_.c_str(), bar.c_str(),
               HumanCount(static_cast<double>(done)).c_str(),
               total > 0 ? HumanCount(static_cast<double>(total)).c_str() : "?", HumanCount(rate).c_str(), eta);
  std::fflush(stderr);
}

void ProgressBar::Finish() {
  if (!enabled_ || !drawn_) return;
  std::fputc('\n', stderr);
  drawn_ = false;
  enabled_ = false;
}

}  // namespace rapport::services
