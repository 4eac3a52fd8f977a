#pragma once
// The BG/NBD model of repeat buying (Fader, Hardie & Lee 2005, "Counting your
// customers the easy way"). While alive, a customer buys as a Poisson process of
// rate lambda ~ Gamma(r, alpha); after each repeat purchase they drop out with
// probability p ~ Beta(a, b). Pure math, no I/O; docs/domain.md "Probabilistic
// churn and CLV" has the definitions and units.
//
// Time unit: whatever the caller uses for t_x, T and the horizon, consistently;
// alpha is in that unit. rapport uses DAYS everywhere (projections/domain/model_inputs.h).

#include <cstdint>
#include <span>

#include "events/status.h"

namespace rapport::projections {

struct BgNbdParams {
  double r = 0;      // Gamma shape of the purchase rate
  double alpha = 0;  // Gamma rate (scale of time): in the time unit of the data
  double a = 0;      // Beta dropout shape a
  double b = 0;      // Beta dropout shape b
  bool operator==(const BgNbdParams&) const = default;
};

// One customer's history: x repeat purchases (all purchases after the first),
// t_x = time of the last purchase since the first (0 when x = 0), T = age: time
// from the first purchase to the as-of instant. 0 <= t_x <= T.
struct RepeatSummary {
  int64_t x = 0;
  double t_x = 0;
  double T = 0;
};

// log L(r, alpha, a, b | x, t_x, T), the paper's eq. (6), in log space.
double BgNbdLogLikelihood(const BgNbdParams& params, const RepeatSummary& customer);
// The sum over customers.
double BgNbdLogLikelihood(const BgNbdParams& params, std::span<const RepeatSummary> customers);

// P(alive | x, t_x, T) (Fader, Hardie & Lee's note "Computing P(alive) using the
// BG/NBD model"): 1 / (1 + [x > 0] a / (b + x - 1) ((alpha + T) / (alpha + t_x))^(r + x)).
// Exactly 1 for x = 0: in BG/NBD a customer can only drop out right after a repeat
// purchase, so one who never came back is "alive" (the churn rules' first half,
// days overdue, covers them).
double ProbabilityAlive(const BgNbdParams& params, const RepeatSummary& customer);

// E[purchases in (T, T + t] | x, t_x, T], eq. (10). With x = t_x = T = 0 it is the
// unconditional E[X(t)] of a new customer, eq. (9). The paper's form divides by
// a - 1; near a = 1 it is computed in a form that is continuous there.
double ExpectedPurchases(const BgNbdParams& params, const RepeatSummary& customer, double t);

struct BgNbdFit {
  BgNbdParams params;
  double log_likelihood = 0;
  int evaluations = 0;
  bool converged = false;
};

// Maximum-likelihood fit over all customers (Nelder–Mead on log-parameters, times
// rescaled internally for conditioning). InvalidArgument ("customers") when empty
// or when a summary breaks 0 <= t_x <= T, x >= 0, or t_x > 0 with x = 0.
Result<BgNbdFit> FitBgNbd(std::span<const RepeatSummary> customers);

}  // namespace rapport::projections
