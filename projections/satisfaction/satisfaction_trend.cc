#include "projections/satisfaction/satisfaction_trend.h"

#include <algorithm>

namespace rapport::projections {

std::string_view Name(TrendLabel label) {
  switch (label) {
    case TrendLabel::kFalling: return "falling";
    case TrendLabel::kSteady: return "steady";
    case TrendLabel::kRising: return "rising";
  }
  return "steady";
}

std::optional<double> LeastSquaresSlope(const std::vector<double>& xs, const std::vector<double>& ys) {
  const size_t n = std::min(xs.size(), ys.size());
  if (n < 2) return std::nullopt;
  double mean_x = 0, mean_y = 0;
  for (size_t i = 0; i < n; ++i) {
    mean_x += xs[i];
    mean_y += ys[i];
  }
  mean_x /= static_cast<double>(n);
  mean_y /= static_cast<double>(n);
  double sxy = 0, sxx = 0;
  for (size_t i = 0; i < n; ++i) {
    sxy += (xs[i] - mean_x) * (ys[i] - mean_y);
    sxx += (xs[i] - mean_x) * (xs[i] - mean_x);
  }
  if (sxx <= 0) return std::nullopt;
  return sxy / sxx;
}

TrendLabel LabelOf(double slope, double threshold) {
  if (slope < -threshold) return TrendLabel::kFalling;
  if (slope > threshold) return TrendLabel::kRising;
  return TrendLabel::kSteady;
}

Trend TrendOf(const std::vector<std::optional<double>>& series, int buckets, double threshold) {
  Trend trend;
  const size_t take = std::min(series.size(), static_cast<size_t>(std::max(buckets, 0)));
  const size_t first = series.size() - take;
  std::vector<double> xs, ys;
  for (size_t i = first; i < series.size(); ++i) {
    if (!series[i]) continue;
    xs.push_back(static_cast<double>(i - first));
    ys.push_back(*series[i]);
  }
  trend.points = static_cast<int>(xs.size());
  trend.slope = LeastSquaresSlope(xs, ys);
  if (trend.slope) trend.label = LabelOf(*trend.slope, threshold);
  return trend;
}

}  // namespace rapport::projections
