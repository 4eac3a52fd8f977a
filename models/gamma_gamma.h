#pragma once
// The Gamma-Gamma model of spend per transaction (Fader & Hardie, "The Gamma-Gamma
// model of monetary value", 2013; Colombo & Jiang 1999). A customer's transaction
// values are Gamma(p, nu); nu varies across customers as Gamma(q, gamma). Fitted on
// customers with at least one repeat purchase, from the number x of repeat
// purchases and their mean value. Pure math, no I/O. Currency: the caller's unit
// (rapport: minor units); gamma is in that unit.

#include <cstdint>
#include <span>

#include "events/status.h"

namespace rapport::projections {

struct GammaGammaParams {
  double p = 0;      // shape of one transaction's value
  double q = 0;      // shape of the customers' nu
  double gamma = 0;  // rate of nu: in the currency unit of the data
  bool operator==(const GammaGammaParams&) const = default;
};

struct SpendSummary {
  int64_t x = 0;          // repeat purchases whose mean is `mean_value`
  double mean_value = 0;  // > 0
};

// log f(mean_value | p, q, gamma, x), the density of the mean of x transactions:
// lnG(px+q) - lnG(px) - lnG(q) + q ln gamma + (px-1) ln m + px ln x - (px+q) ln(gamma + m x).
double GammaGammaLogLikelihood(const GammaGammaParams& params, const SpendSummary& customer);
double GammaGammaLogLikelihood(const GammaGammaParams& params, std::span<const SpendSummary> customers);

// E[spend per transaction | x, mean_value] = p (gamma + x m) / (p x + q - 1): a
// weighted average of the population mean p gamma / (q - 1) and the customer's own
// mean. With x = 0 it is the population mean. NaN when the population mean does not
// exist (q <= 1) and x = 0.
double ExpectedMeanSpend(const GammaGammaParams& params, const SpendSummary& customer);

struct GammaGammaFit {
  GammaGammaParams params;
  double log_likelihood = 0;
  int64_t customers = 0;  // those with x >= 1 that were used
  int evaluations = 0;
  bool converged = false;
};

// Maximum-likelihood fit over the customers with x >= 1 (others are skipped).
// InvalidArgument ("customers") when none qualifies or a mean value is not > 0.
Result<GammaGammaFit> FitGammaGamma(std::span<const SpendSummary> customers);

}  // namespace rapport::projections
