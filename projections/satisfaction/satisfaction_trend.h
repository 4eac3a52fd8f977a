#pragma once
// Trends of the satisfaction measures (DOMAIN.md §4): the least-squares slope over
// the last N buckets (days or weeks) and a falling / steady / rising label. Pure.
//
// The x of a bucket is its index among the last N (0 = oldest), so the slope is in
// measure units per bucket. Buckets without data for a measure (no CSAT answer that
// day, no interaction) are left out of its fit; with fewer than 2 points there is no
// slope. Falling when slope < -threshold, rising when slope > +threshold.

#include <optional>
#include <string_view>
#include <vector>

namespace rapport::projections {

enum class TrendLabel { kFalling, kSteady, kRising };
std::string_view Name(TrendLabel label);

// Slope of the least-squares line through (x_i, y_i); nullopt with fewer than two
// distinct x.
std::optional<double> LeastSquaresSlope(const std::vector<double>& xs, const std::vector<double>& ys);

TrendLabel LabelOf(double slope, double threshold);

struct Trend {
  std::optional<double> slope;
  std::optional<TrendLabel> label;  // with the slope
  int points = 0;                   // buckets with data among the last N
};

// The trend of the last `buckets` values of `series` (oldest first).
Trend TrendOf(const std::vector<std::optional<double>>& series, int buckets, double threshold);

}  // namespace rapport::projections
