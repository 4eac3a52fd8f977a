#pragma once
// Predictive customer lifetime value (DOMAIN.md §3, §5): expected future purchases
// (BG/NBD) x expected margin per purchase (Gamma-Gamma spend x the customer's
// historic margin ratio), over a horizon of whole months, discounted monthly.
// Pure, no I/O. Time unit: days; money: minor units.
//
// Month k (1..H) spans days ((k-1) m, k m] after the as-of instant, with
// m = 365.25 / 12 days; its expected purchases E(k m) - E((k-1) m) are discounted
// by (1 + d)^k (paid at the month's end):
//   CLV = margin_ratio x E[spend] x sum_k (E(k m) - E((k-1) m)) / (1 + d)^k.

#include "models/bgnbd.h"
#include "models/gamma_gamma.h"
#include "projections/domain/model_inputs.h"

namespace rapport::projections {

inline constexpr double kDaysPerMonth = 365.25 / 12.0;

struct CustomerPrediction {
  double p_alive = 0;
  double expected_purchases = 0;  // in the whole horizon, undiscounted
  double expected_spend = 0;      // per purchase, minor units (NaN when undefined)
  double predictive_value = 0;    // discounted margin, minor units (NaN when spend is)
};

CustomerPrediction Predict(const BgNbdParams& bgnbd, const GammaGammaParams& gamma_gamma,
                           const CustomerModelInputs& inputs, int horizon_months, double monthly_discount);

// The discounted sum of expected purchases month by month (the CLV above without
// the margin): sum_k (E(k m) - E((k-1) m)) / (1 + d)^k.
double DiscountedExpectedPurchases(const BgNbdParams& bgnbd, const RepeatSummary& customer,
                                   int horizon_months, double monthly_discount);

}  // namespace rapport::projections
