#pragma once
// Sums of money (minor units) in folds and rankings. Every amount is at most 10^15
// (events/validation.h), so a sum needs over 9,000 maximal amounts to leave int64;
// past that a plain += would wrap to a negative revenue. The sums use checked
// arithmetic (__builtin_add_overflow) and saturate at the int64 bounds instead: a
// customer or tier that reaches 9.2 * 10^18 minor units stays there, never wraps.

#include <cstdint>
#include <limits>

namespace rapport::projections {

// a + b, clamped to [INT64_MIN, INT64_MAX] when the exact sum is outside.
inline int64_t AddMoney(int64_t a, int64_t b) {
  int64_t sum = 0;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

// a - b, clamped likewise.
inline int64_t SubtractMoney(int64_t a, int64_t b) {
  int64_t difference = 0;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

}  // namespace rapport::projections
