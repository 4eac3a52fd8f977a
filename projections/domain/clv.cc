#include "projections/domain/clv.h"

#include <cmath>

namespace rapport::projections {

double DiscountedExpectedPurchases(const BgNbdParams& bgnbd, const RepeatSummary& customer,
                                   int horizon_months, double monthly_discount) {
  double total = 0;
  double previous = 0;
  for (int k = 1; k <= horizon_months; ++k) {
    const double cumulative = ExpectedPurchases(bgnbd, customer, k * kDaysPerMonth);
    total += (cumulative - previous) / std::pow(1.0 + monthly_discount, k);
    previous = cumulative;
  }
  return total;
}

CustomerPrediction Predict(const BgNbdParams& bgnbd, const GammaGammaParams& gamma_gamma,
                           const CustomerModelInputs& inputs, int horizon_months, double monthly_discount) {
  CustomerPrediction out;
  out.p_alive = ProbabilityAlive(bgnbd, inputs.repeat);
  out.expected_purchases = ExpectedPurchases(bgnbd, inputs.repeat, horizon_months * kDaysPerMonth);
  out.expected_spend = ExpectedMeanSpend(gamma_gamma, inputs.spend);
  out.predictive_value = inputs.margin_ratio * out.expected_spend *
                         DiscountedExpectedPurchases(bgnbd, inputs.repeat, horizon_months, monthly_discount);
  return out;
}

}  // namespace rapport::projections
