#include "projections/customer_view/model_prediction_json.h"

#include <cmath>

#include "projections/domain/clv.h"
#include "projections/domain/model_inputs.h"

namespace rapport::projections {

nlohmann::json ModelPredictionToJson(const CustomerView& view, int64_t as_of_ms,
                                     const ModelParameters* parameters, const ValueSettings& settings) {
  nlohmann::json out = {
      {"p_alive", nullptr}, {"expected_purchases_12m", nullptr}, {"predictive_value", nullptr}};
  if (parameters == nullptr) return out;
  auto inputs = ModelInputsFromPurchases(view.purchase_history.records(), as_of_ms);
  if (!inputs) return out;
  const CustomerPrediction p = Predict(parameters->bgnbd, parameters->gamma_gamma, *inputs,
                                       settings.clv_horizon_months, settings.clv_monthly_discount);
  if (std::isfinite(p.p_alive)) out["p_alive"] = p.p_alive;
  if (std::isfinite(p.expected_purchases)) out["expected_purchases_12m"] = p.expected_purchases;
  if (std::isfinite(p.predictive_value)) out["predictive_value"] = std::llround(p.predictive_value);
  return out;
}

}  // namespace rapport::projections
