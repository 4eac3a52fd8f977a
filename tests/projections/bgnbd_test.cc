#include "models/bgnbd.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <vector>

#include "models/model_simulation.h"
#include "tests/support/fit_errors.h"
#include "tests/support/standard_errors.h"

namespace rapport::projections {
namespace {

// The CDNOW estimates of the paper (time unit: weeks).
const BgNbdParams kCdnow{0.243, 4.414, 0.793, 2.426};

// Reference values computed independently with mpmath at 40 digits (the paper's
// eq. 6, 10 and P(alive) written out with Gamma, Beta and 2F1 directly).
constexpr double kTinyLogLikelihood = -31.002112208069749;

std::vector<RepeatSummary> Tiny() { return {{0, 0, 38}, {2, 30.43, 38.86}, {5, 20, 35}, {1, 1.5, 27}}; }

// The paper's eq. (6) without logs, as a second, direct implementation.
double DirectLikelihood(const BgNbdParams& p, const RepeatSummary& c) {
  auto beta = [](double u, double v) { return std::tgamma(u) * std::tgamma(v) / std::tgamma(u + v); };
  const double x = static_cast<double>(c.x);
  const double common = std::tgamma(p.r + x) * std::pow(p.alpha, p.r) / std::tgamma(p.r) / beta(p.a, p.b);
  double l = beta(p.a, p.b + x) * common / std::pow(p.alpha + c.T, p.r + x);
  if (c.x > 0) l += beta(p.a + 1, p.b + x - 1) * common / std::pow(p.alpha + c.t_x, p.r + x);
  return l;
}

TEST_CASE("the BG/NBD log-likelihood of a tiny dataset equals the independently computed value", "[bgnbd]") {
  const auto data = Tiny();
  CHECK(BgNbdLogLikelihood(kCdnow, data) == Approx(kTinyLogLikelihood).epsilon(1e-12));
  double sum = 0;
  for (const auto& c : data) {
    CHECK(BgNbdLogLikelihood(kCdnow, c) == Approx(std::log(DirectLikelihood(kCdnow, c))).epsilon(1e-10));
    sum += BgNbdLogLikelihood(kCdnow, c);
  }
  CHECK(sum == Approx(kTinyLogLikelihood).epsilon(1e-12));
}

TEST_CASE("the BG/NBD log-likelihood stays finite for heavy buyers", "[bgnbd]") {
  // x = 5000 overflows Gamma(r + x) and (alpha + T)^(r + x) in the direct form. (A
  // log density of the purchase times, so it may well be positive.) mpmath value.
  const RepeatSummary heavy{5000, 364.0, 365.0};
  const double ll = BgNbdLogLikelihood(kCdnow, heavy);
  CHECK(std::isfinite(ll));
  CHECK(ll == Approx(8021.4409537310056).epsilon(1e-11));
}

TEST_CASE("P(alive) is exactly 1 for a customer without repeat purchases", "[bgnbd]") {
  CHECK(ProbabilityAlive(kCdnow, {0, 0, 0}) == 1.0);
  CHECK(ProbabilityAlive(kCdnow, {0, 0, 1000}) == 1.0);
}

TEST_CASE("P(alive) equals the independently computed values", "[bgnbd]") {
  CHECK(ProbabilityAlive(kCdnow, {2, 30.43, 38.86}) == Approx(0.72657857008067291).epsilon(1e-12));
  CHECK(ProbabilityAlive(kCdnow, {5, 20, 35}) == Approx(0.39677383914174516).epsilon(1e-12));
  CHECK(ProbabilityAlive(kCdnow, {1, 1.5, 27}) == Approx(0.27736926362909947).epsilon(1e-12));
}

TEST_CASE("P(alive) right after a purchase is 1 / (1 + a / (b + x - 1))", "[bgnbd]") {
  for (int64_t x : {1, 3, 40}) {
    const double expected = 1.0 / (1.0 + kCdnow.a / (kCdnow.b + static_cast<double>(x) - 1.0));
    CHECK(ProbabilityAlive(kCdnow, {x, 20.0, 20.0}) == Approx(expected).epsilon(1e-12));
  }
}

TEST_CASE("P(alive) falls as the time since the last purchase grows", "[bgnbd]") {
  for (int64_t x : {1, 2, 10, 100}) {
    double previous = 2.0;
    for (double gap = 0; gap <= 200; gap += 5) {
      const double p = ProbabilityAlive(kCdnow, {x, 30.0, 30.0 + gap});
      CHECK(p < previous);
      CHECK(p > 0.0);
      previous = p;
    }
  }
}

TEST_CASE("P(alive) rises with the number of purchases at the same recency for a recent buyer", "[bgnbd]") {
  // Bought yesterday (of a 40-week age): more purchases mean more evidence of life.
  double previous = 0;
  for (int64_t x = 1; x <= 30; ++x) {
    const double p = ProbabilityAlive(kCdnow, {x, 39.9, 40.0});
    CHECK(p > previous);
    previous = p;
  }
}

TEST_CASE("P(alive) is a tiny positive number, never NaN, for a long-silent heavy buyer", "[bgnbd]") {
  const double p = ProbabilityAlive(kCdnow, {500, 10.0, 1000.0});
  CHECK(p >= 0.0);
  CHECK(p < 1e-100);
  CHECK_FALSE(std::isnan(p));
}

TEST_CASE("expected purchases reproduce the paper's CDNOW figures", "[bgnbd]") {
  // Fader, Hardie & Lee (2005) / Hardie's spreadsheet: customer with x = 2,
  // t_x = 30.43, T = 38.86 buys 1.226 times in the next 39 weeks (the published
  // parameters are rounded to 3 decimals, hence the tolerance).
  CHECK(ExpectedPurchases(kCdnow, {2, 30.43, 38.86}, 39) == Approx(1.226).margin(0.002));
  CHECK(ExpectedPurchases(kCdnow, {2, 30.43, 38.86}, 39) == Approx(1.2260281747671444).epsilon(1e-10));
  // Unconditional E[X(t)] of a new customer (eq. 9): the spreadsheet's 0.0078 at
  // one day and 1.8576 at 78 weeks; exact values for these rounded parameters.
  CHECK(ExpectedPurchases(kCdnow, {0, 0, 0}, 0.1429) == Approx(0.0078).margin(0.0002));
  CHECK(ExpectedPurchases(kCdnow, {0, 0, 0}, 0.1429) == Approx(0.0078283475160721631).epsilon(1e-10));
  CHECK(ExpectedPurchases(kCdnow, {0, 0, 0}, 31.8571) == Approx(1.0419960608522109).epsilon(1e-10));
  CHECK(ExpectedPurchases(kCdnow, {0, 0, 0}, 78.0) == Approx(1.8576).margin(0.005));
  CHECK(ExpectedPurchases(kCdnow, {0, 0, 0}, 78.0) == Approx(1.8605190579427685).epsilon(1e-10));
}

TEST_CASE("expected purchases equal independent values for heavy buyers and day units", "[bgnbd]") {
  CHECK(ExpectedPurchases(kCdnow, {50, 30, 39}, 39) == Approx(0.01918325147455477).epsilon(1e-9));
  const BgNbdParams days{0.5, 20, 1.3, 4};
  CHECK(ExpectedPurchases(days, {12, 300, 400}, 365) == Approx(2.1397093860033584).epsilon(1e-10));
  CHECK(ExpectedPurchases(days, {0, 0, 100}, 365) == Approx(1.0477385792482024).epsilon(1e-10));
}

TEST_CASE("expected purchases stay finite and right for extreme fitted parameters", "[bgnbd]") {
  // Parameters a fit reached on rapport's sample data (almost no dropout, nearly
  // equal rates): a in the hundred thousands would overflow the near-a=1 series.
  const BgNbdParams extreme{36.6243, 1113.33, 521426, 2.27542e7};
  CHECK(ExpectedPurchases(extreme, {6, 150, 200}, 365.25) == Approx(9.2713605448872054).epsilon(1e-8));
  CHECK(ExpectedPurchases({0.8, 40, 2.5, 6}, {3, 200, 250}, 365.25) ==
        Approx(1.7679351188894561).epsilon(1e-10));
}

TEST_CASE("the two series forms of expected purchases agree where they meet at a = 2", "[bgnbd]") {
  const RepeatSummary c{5, 100, 180};
  const double below = ExpectedPurchases({0.7, 30, 2.0, 4}, c, 365.25);
  const double above = ExpectedPurchases({0.7, 30, 2.0 + 1e-9, 4}, c, 365.25);
  CHECK(below == Approx(above).epsilon(1e-8));
}

TEST_CASE("expected purchases are continuous at a = 1", "[bgnbd]") {
  const RepeatSummary c{3, 20, 30};
  const double at_one = ExpectedPurchases({0.5, 5, 1.0, 3}, c, 52);
  CHECK(std::isfinite(at_one));
  CHECK(at_one == Approx(ExpectedPurchases({0.5, 5, 1.0 + 1e-7, 3}, c, 52)).epsilon(1e-5));
  CHECK(at_one == Approx(ExpectedPurchases({0.5, 5, 1.0 - 1e-7, 3}, c, 52)).epsilon(1e-5));
}

TEST_CASE("expected purchases grow with the horizon and are 0 for no horizon", "[bgnbd]") {
  const RepeatSummary c{4, 25, 38};
  CHECK(ExpectedPurchases(kCdnow, c, 0) == 0.0);
  double previous = 0;
  for (double t = 1; t <= 200; t += 7) {
    const double e = ExpectedPurchases(kCdnow, c, t);
    CHECK(e > previous);
    previous = e;
  }
}

TEST_CASE("expected purchases of a new customer match a Monte-Carlo estimate", "[bgnbd]") {
  // Simulate new customers over the horizon and count their purchases: x of a
  // customer observed for T = t is the number of repeat purchases in (0, t].
  const double horizon = 52;
  const auto population = SimulateBgNbd(kCdnow, 200'000, horizon, horizon, 7);
  double total = 0, total_sq = 0;
  for (const auto& c : population) {
    total += static_cast<double>(c.x);
    total_sq += static_cast<double>(c.x * c.x);
  }
  const double n = static_cast<double>(population.size());
  const double mean = total / n;
  const double standard_error = std::sqrt((total_sq / n - mean * mean) / n);
  CHECK(std::abs(mean - ExpectedPurchases(kCdnow, {0, 0, 0}, horizon)) < 4 * standard_error);
}

TEST_CASE("a BG/NBD fit recovers the parameters the data were generated with", "[bgnbd]") {
  // 20,000 CDNOW-like customers aged 27-39 weeks. The tolerance is 4 asymptotic
  // standard errors at this sample size (inverse observed information), and the
  // standard errors must be small enough for the check to mean something.
  const auto data = SimulateBgNbd(kCdnow, 20'000, 27, 39, 20260301);
  auto fit = FitBgNbd(data);
  REQUIRE(fit.ok());
  CHECK(fit->converged);
  const std::vector<double> truth{kCdnow.r, kCdnow.alpha, kCdnow.a, kCdnow.b};
  const std::vector<double> got{fit->params.r, fit->params.alpha, fit->params.a, fit->params.b};
  const auto se = testing::StandardErrors(
      [&](const std::vector<double>& v) {
        return BgNbdLogLikelihood({v[0], v[1], v[2], v[3]}, data);
      },
      got);
  const char* names[] = {"r", "alpha", "a", "b"};
  for (size_t i = 0; i < 4; ++i) {
    INFO(names[i] << ": fitted " << got[i] << " true " << truth[i] << " se " << se[i]);
    CHECK(std::abs(got[i] - truth[i]) < 4 * se[i]);
    CHECK(se[i] < 0.25 * truth[i]);
  }
  // The maximum is a maximum: no better than the truth by chance alone would be odd,
  // worse than the truth would be an optimizer failure.
  CHECK(fit->log_likelihood >= BgNbdLogLikelihood(kCdnow, data));
  CHECK(fit->log_likelihood == Approx(BgNbdLogLikelihood(fit->params, data)));
}

TEST_CASE("a BG/NBD fit does not depend on the time unit except through alpha", "[bgnbd]") {
  const auto weeks = SimulateBgNbd(kCdnow, 3'000, 27, 39, 11);
  std::vector<RepeatSummary> days = weeks;
  for (auto& c : days) {
    c.t_x *= 7;
    c.T *= 7;
  }
  auto in_weeks = FitBgNbd(weeks);
  auto in_days = FitBgNbd(days);
  REQUIRE(in_weeks.ok());
  REQUIRE(in_days.ok());
  CHECK(in_days->params.r == Approx(in_weeks->params.r).epsilon(1e-3));
  CHECK(in_days->params.alpha == Approx(7 * in_weeks->params.alpha).epsilon(1e-3));
  CHECK(in_days->params.a == Approx(in_weeks->params.a).epsilon(1e-3));
  CHECK(in_days->params.b == Approx(in_weeks->params.b).epsilon(1e-3));
}

TEST_CASE("a BG/NBD fit rejects no customers and impossible summaries, naming the field", "[bgnbd]") {
  std::vector<RepeatSummary> none;
  testing::CheckCustomersRejected(FitBgNbd(none));
  for (const RepeatSummary& bad : {RepeatSummary{2, 40, 30}, RepeatSummary{-1, 0, 3}, RepeatSummary{0, 2, 5},
                                   RepeatSummary{1, -1, 5}, RepeatSummary{1, 1, NAN}}) {
    std::vector<RepeatSummary> data{{1, 2, 10}, bad};
    testing::CheckCustomersRejected(FitBgNbd(data), "customer 1");
  }
}

}  // namespace
}  // namespace rapport::projections
