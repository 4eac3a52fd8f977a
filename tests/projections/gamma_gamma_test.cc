#include "models/gamma_gamma.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "models/model_simulation.h"
#include "tests/support/fit_errors.h"
#include "tests/support/standard_errors.h"

namespace rapport::projections {
namespace {

// Fader & Hardie's CDNOW estimates (dollars).
const GammaGammaParams kCdnow{6.25, 3.74, 15.44};

TEST_CASE("the Gamma-Gamma log-likelihood of a tiny dataset equals the independently computed value",
          "[gamma_gamma]") {
  // mpmath at 40 digits, from the density of the mean of x Gamma(p, nu) values
  // integrated over nu ~ Gamma(q, gamma).
  const std::vector<SpendSummary> data{{1, 20.5}, {3, 35.0}, {10, 12.25}};
  CHECK(GammaGammaLogLikelihood(kCdnow, data) == Approx(-11.712190931919041).epsilon(1e-12));
}

TEST_CASE("the Gamma-Gamma log-likelihood skips customers without repeat purchases", "[gamma_gamma]") {
  const std::vector<SpendSummary> with{{1, 20.5}, {0, 0.0}, {3, 35.0}};
  const std::vector<SpendSummary> without{{1, 20.5}, {3, 35.0}};
  CHECK(GammaGammaLogLikelihood(kCdnow, with) == GammaGammaLogLikelihood(kCdnow, without));
}

TEST_CASE("expected spend weighs the population mean against the customer's own mean", "[gamma_gamma]") {
  const double population = kCdnow.p * kCdnow.gamma / (kCdnow.q - 1);
  CHECK(ExpectedMeanSpend(kCdnow, {0, 0}) == Approx(population).epsilon(1e-12));
  // More purchases: closer to the customer's own mean.
  const double own = 100;
  double previous_gap = std::abs(population - own);
  for (int64_t x : {1, 2, 5, 20, 200}) {
    const double spend = ExpectedMeanSpend(kCdnow, {x, own});
    const double weight = kCdnow.p * x / (kCdnow.p * x + kCdnow.q - 1);
    CHECK(spend == Approx(weight * own + (1 - weight) * population).epsilon(1e-12));
    CHECK(std::abs(spend - own) < previous_gap);
    previous_gap = std::abs(spend - own);
  }
}

TEST_CASE("expected spend of a new customer is NaN when the population mean does not exist",
          "[gamma_gamma]") {
  CHECK(std::isnan(ExpectedMeanSpend({2.0, 0.8, 10.0}, {0, 0})));
  CHECK(std::isfinite(ExpectedMeanSpend({2.0, 0.8, 10.0}, {3, 25.0})));
}

TEST_CASE("a Gamma-Gamma fit recovers the parameters the data were generated with", "[gamma_gamma]") {
  // 20,000 customers with 1 to 12 repeat purchases; tolerance 4 asymptotic standard
  // errors at this sample size.
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<int64_t> repeat(1, 12);
  std::vector<int64_t> xs(20'000);
  for (auto& x : xs) x = repeat(rng);
  auto data = SimulateGammaGamma(kCdnow, xs, 20260302);
  data.push_back({0, 0.0});  // no repeat purchase: ignored by the fit
  auto fit = FitGammaGamma(data);
  REQUIRE(fit.ok());
  CHECK(fit->converged);
  CHECK(fit->customers == 20'000);
  const std::vector<double> truth{kCdnow.p, kCdnow.q, kCdnow.gamma};
  const std::vector<double> got{fit->params.p, fit->params.q, fit->params.gamma};
  const auto se = testing::StandardErrors(
      [&](const std::vector<double>& v) {
        return GammaGammaLogLikelihood({v[0], v[1], v[2]}, data);
      },
      got);
  const char* names[] = {"p", "q", "gamma"};
  for (size_t i = 0; i < 3; ++i) {
    INFO(names[i] << ": fitted " << got[i] << " true " << truth[i] << " se " << se[i]);
    CHECK(std::abs(got[i] - truth[i]) < 4 * se[i]);
    CHECK(se[i] < 0.25 * truth[i]);
  }
  CHECK(fit->log_likelihood >= GammaGammaLogLikelihood(kCdnow, data));
}

TEST_CASE("a Gamma-Gamma fit scales gamma with the currency unit", "[gamma_gamma]") {
  std::vector<int64_t> xs;
  for (int i = 0; i < 2'000; ++i) xs.push_back(1 + i % 6);
  const auto dollars = SimulateGammaGamma(kCdnow, xs, 5);
  std::vector<SpendSummary> cents = dollars;
  for (auto& c : cents) c.mean_value *= 100;
  auto in_dollars = FitGammaGamma(dollars);
  auto in_cents = FitGammaGamma(cents);
  REQUIRE(in_dollars.ok());
  REQUIRE(in_cents.ok());
  CHECK(in_cents->params.p == Approx(in_dollars->params.p).epsilon(1e-3));
  CHECK(in_cents->params.q == Approx(in_dollars->params.q).epsilon(1e-3));
  CHECK(in_cents->params.gamma == Approx(100 * in_dollars->params.gamma).epsilon(1e-3));
}

TEST_CASE("a Gamma-Gamma fit rejects no repeat buyers and non-positive means, naming the field",
          "[gamma_gamma]") {
  const std::vector<SpendSummary> only_new{{0, 0.0}, {0, 0.0}};
  testing::CheckCustomersRejected(FitGammaGamma(only_new));
  const std::vector<SpendSummary> zero{{2, 10.0}, {1, 0.0}};
  testing::CheckCustomersRejected(FitGammaGamma(zero), "customer 1");
}

}  // namespace
}  // namespace rapport::projections
