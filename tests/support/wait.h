#pragma once
// Polls a condition until it holds or a deadline passes. Tests wait for effects
// that travel through Kafka; the deadline only bounds a failing test.

#include <chrono>
#include <thread>

namespace rapport::testing {

template <typename Condition>
bool WaitFor(Condition condition, std::chrono::milliseconds deadline = std::chrono::seconds(60)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return condition();
}

}  // namespace rapport::testing
