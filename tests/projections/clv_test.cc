#include "projections/domain/clv.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "projections/domain/model_inputs.h"

namespace rapport::projections {
namespace {

// Day-unit parameters of a plausible retail population.
const BgNbdParams kDays{0.8, 40.0, 0.6, 3.0};
const GammaGammaParams kSpend{4.0, 3.0, 8000.0};  // population mean 16,000 minor units

int64_t Day(double d) { return static_cast<int64_t>(d * kMsPerDay); }

TEST_CASE("model inputs count repeat purchases, recency and age in days as of an event time", "[clv]") {
  const std::vector<PurchaseRecord> purchases{
      {Day(10), 1000, 600}, {Day(40), 3000, 1000}, {Day(70), 2000, 1400}, {Day(500), 9999, 0}};
  auto inputs = ModelInputsFromPurchases(purchases, Day(100));
  REQUIRE(inputs.has_value());
  CHECK(inputs->repeat.x == 2);
  CHECK(inputs->repeat.t_x == Approx(60.0));
  CHECK(inputs->repeat.T == Approx(90.0));
  CHECK(inputs->spend.x == 2);
  CHECK(inputs->spend.mean_value == Approx(2500.0));  // the repeat purchases only
  CHECK(inputs->margin_ratio == Approx((6000.0 - 3000.0) / 6000.0));
}

TEST_CASE("model inputs of a one-time buyer and of a customer with no purchase yet", "[clv]") {
  const std::vector<PurchaseRecord> one{{Day(10), 1000, 1200}};
  auto inputs = ModelInputsFromPurchases(one, Day(10));
  REQUIRE(inputs.has_value());
  CHECK(inputs->repeat.x == 0);
  CHECK(inputs->repeat.t_x == 0.0);
  CHECK(inputs->repeat.T == 0.0);
  CHECK(inputs->margin_ratio == Approx(-0.2));  // sold at a loss
  CHECK_FALSE(ModelInputsFromPurchases(one, Day(9)).has_value());
  CHECK_FALSE(ModelInputsFromPurchases({}, Day(9)).has_value());
}

TEST_CASE("discounted purchases sum the monthly increments at (1 + d)^k", "[clv]") {
  const RepeatSummary c{3, 200, 250};
  double expected = 0;
  for (int k = 1; k <= 12; ++k) {
    const double increment =
        ExpectedPurchases(kDays, c, k * kDaysPerMonth) - ExpectedPurchases(kDays, c, (k - 1) * kDaysPerMonth);
    expected += increment / std::pow(1.01, k);
  }
  CHECK(DiscountedExpectedPurchases(kDays, c, 12, 0.01) == Approx(expected).epsilon(1e-12));
  // Without discount it is the horizon's expected purchases; with it, less.
  CHECK(DiscountedExpectedPurchases(kDays, c, 12, 0.0) ==
        Approx(ExpectedPurchases(kDays, c, 365.25)).epsilon(1e-12));
  CHECK(DiscountedExpectedPurchases(kDays, c, 12, 0.01) < ExpectedPurchases(kDays, c, 365.25));
}

TEST_CASE("predictive value is margin ratio x expected spend x discounted purchases", "[clv]") {
  CustomerModelInputs inputs;
  inputs.repeat = {3, 200, 250};
  inputs.spend = {3, 12000};
  inputs.margin_ratio = 0.3;
  const CustomerPrediction p = Predict(kDays, kSpend, inputs, 12, 0.01);
  CHECK(p.p_alive == ProbabilityAlive(kDays, inputs.repeat));
  CHECK(p.expected_purchases == ExpectedPurchases(kDays, inputs.repeat, 365.25));
  CHECK(p.expected_spend == ExpectedMeanSpend(kSpend, inputs.spend));
  CHECK(p.predictive_value ==
        Approx(0.3 * p.expected_spend * DiscountedExpectedPurchases(kDays, inputs.repeat, 12, 0.01))
            .epsilon(1e-12));
  CHECK(p.predictive_value > 0);
}

TEST_CASE("a customer silent for long is worth less than a recent one with the same history", "[clv]") {
  CustomerModelInputs recent;
  recent.repeat = {5, 300, 310};
  recent.spend = {5, 10000};
  recent.margin_ratio = 0.25;
  CustomerModelInputs silent = recent;
  silent.repeat.T = 700;
  const auto r = Predict(kDays, kSpend, recent, 12, 0.01);
  const auto s = Predict(kDays, kSpend, silent, 12, 0.01);
  CHECK(s.p_alive < r.p_alive);
  CHECK(s.expected_purchases < r.expected_purchases);
  CHECK(s.predictive_value < r.predictive_value);
}

}  // namespace
}  // namespace rapport::projections
