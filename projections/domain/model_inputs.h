#pragma once
// What the probabilistic models (BG/NBD, Gamma-Gamma) need from one customer's
// purchases as of an event time. Time unit: DAYS (fractional, from epoch ms).
// Pure, no I/O.

#include <cstdint>
#include <optional>
#include <span>

#include "models/bgnbd.h"
#include "models/gamma_gamma.h"
#include "projections/domain/purchase_history.h"

namespace rapport::projections {

inline constexpr double kMsPerDay = 86'400'000.0;

struct CustomerModelInputs {
  RepeatSummary repeat;  // x = purchases after the first, t_x and T in days
  SpendSummary spend;    // x and the mean amount of the repeat purchases (minor units)
  // Historic margin ratio (amount - cost) / amount over all purchases up to as-of,
  // applied to the expected spend to get the expected margin; 0 without revenue.
  double margin_ratio = 0;
};

// From purchases in time order (PurchaseHistory's order); only those with
// at_ms <= as_of_ms count. nullopt when none does. Refunds are not netted: the
// models describe buying, and refunds are rare enough to leave to historic value.
std::optional<CustomerModelInputs> ModelInputsFromPurchases(std::span<const PurchaseRecord> records,
                                                            int64_t as_of_ms);

}  // namespace rapport::projections
