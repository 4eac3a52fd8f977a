#include "projections/domain/model_inputs.h"

#include <algorithm>

namespace rapport::projections {

std::optional<CustomerModelInputs> ModelInputsFromPurchases(std::span<const PurchaseRecord> records,
                                                            int64_t as_of_ms) {
  const auto end = std::upper_bound(records.begin(), records.end(), as_of_ms,
                                    [](int64_t t, const PurchaseRecord& r) { return t < r.at_ms; });
  const auto count = static_cast<int64_t>(end - records.begin());
  if (count == 0) return std::nullopt;
  const int64_t first = records.front().at_ms;
  const int64_t last = (end - 1)->at_ms;
  CustomerModelInputs inputs;
  inputs.repeat.x = count - 1;
  inputs.repeat.t_x = static_cast<double>(last - first) / kMsPerDay;
  inputs.repeat.T = static_cast<double>(as_of_ms - first) / kMsPerDay;
  double amount = 0, cost = 0, repeat_amount = 0;
  for (auto it = records.begin(); it != end; ++it) {
    amount += static_cast<double>(it->amount);
    cost += static_cast<double>(it->cost);
    if (it != records.begin()) repeat_amount += static_cast<double>(it->amount);
  }
  inputs.spend.x = count - 1;
  inputs.spend.mean_value = count > 1 ? repeat_amount / static_cast<double>(count - 1) : 0.0;
  inputs.margin_ratio = amount > 0 ? (amount - cost) / amount : 0.0;
  return inputs;
}

}  // namespace rapport::projections
