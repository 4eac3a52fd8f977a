// Trends (DOMAIN.md §4): the least-squares slope over the last 8 buckets and the
// falling / steady / rising label against a threshold.

#include "projections/satisfaction/satisfaction_trend.h"

#include <catch2/catch.hpp>

namespace rapport::projections {
namespace {

TEST_CASE("the slope of points on a line is the line's slope", "[trend]") {
  CHECK(*LeastSquaresSlope({0, 1, 2, 3}, {1, 3, 5, 7}) == Approx(2.0));
  CHECK(*LeastSquaresSlope({0, 1, 2, 3, 4, 5, 6, 7}, {9, 8, 7, 6, 5, 4, 3, 2}) == Approx(-1.0));
}

TEST_CASE("the least-squares slope of scattered points, by hand", "[trend]") {
  // x 0,1,2 mean 1; y 1,3,2 mean 2; sxy = (-1)(-1) + 0 + (1)(0) = 1; sxx = 2.
  CHECK(*LeastSquaresSlope({0, 1, 2}, {1, 3, 2}) == Approx(0.5));
  // x 0,2,3,7 mean 3; y 4,0,2,-2 mean 1; sxy = -3*3 + -1*-1 + 0 + 4*-3 = -20; sxx = 9+1+0+16 = 26.
  CHECK(*LeastSquaresSlope({0, 2, 3, 7}, {4, 0, 2, -2}) == Approx(-20.0 / 26.0));
}

TEST_CASE("no slope from fewer than two distinct points", "[trend]") {
  CHECK_FALSE(LeastSquaresSlope({}, {}).has_value());
  CHECK_FALSE(LeastSquaresSlope({3}, {1}).has_value());
  CHECK_FALSE(LeastSquaresSlope({2, 2}, {1, 5}).has_value());
}

TEST_CASE("labels: falling below -threshold, rising above +threshold, else steady", "[trend]") {
  CHECK(LabelOf(-0.02, 0.01) == TrendLabel::kFalling);
  CHECK(LabelOf(-0.01, 0.01) == TrendLabel::kSteady);
  CHECK(LabelOf(0.0, 0.01) == TrendLabel::kSteady);
  CHECK(LabelOf(0.0100001, 0.01) == TrendLabel::kRising);
  CHECK(LabelOf(-0.5, 0.0) == TrendLabel::kFalling);
  CHECK(Name(TrendLabel::kFalling) == "falling");
}

TEST_CASE("a trend fits only the last N buckets and skips buckets without data", "[trend]") {
  // Twelve buckets: the first four rise steeply, the last eight fall by 1 a bucket.
  std::vector<std::optional<double>> series = {0, 10, 20, 30, 20, 19, 18, 17, 16, 15, 14, 13};
  Trend trend = TrendOf(series, 8, 0.5);
  CHECK(trend.points == 8);
  CHECK(*trend.slope == Approx(-1.0));
  CHECK(*trend.label == TrendLabel::kFalling);
  // A gap keeps the others at their own x: still a slope of -1.
  series[7] = std::nullopt;
  trend = TrendOf(series, 8, 0.5);
  CHECK(trend.points == 7);
  CHECK(*trend.slope == Approx(-1.0));
  // Fewer buckets than N: all of them.
  trend = TrendOf({1.0, 1.0, 1.0}, 8, 0.5);
  CHECK(trend.points == 3);
  CHECK(*trend.slope == Approx(0.0));
  CHECK(*trend.label == TrendLabel::kSteady);
  trend = TrendOf({std::nullopt, 4.0, std::nullopt}, 8, 0.5);
  CHECK(trend.points == 1);
  CHECK_FALSE(trend.slope.has_value());
  CHECK_FALSE(trend.label.has_value());
}

}  // namespace
}  // namespace rapport::projections
