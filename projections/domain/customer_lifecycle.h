#pragma once
// Customer state and lifecycle stage (DOMAIN.md §2), evaluated from a customer's
// purchases as of an event time. Both depend on how much time has passed since the
// last purchase, so they are not stored: the reader evaluates them at the
// projection's event-time watermark (docs/domain.md, "Evaluated as of"). Pure.

#include <cstdint>
#include <optional>
#include <string_view>

#include "projections/domain/customer_state_settings.h"
#include "projections/domain/domain_settings.h"
#include "projections/domain/purchase_history.h"

namespace rapport::projections {

enum class CustomerState : uint8_t { kPotential = 0, kCurrent = 1, kLost = 2, kWonBack = 3 };
inline constexpr int kCustomerStateCount = 4;

enum class LifecycleStage : uint8_t { kExploration = 0, kFormation = 1, kStability = 2, kDecline = 3 };
inline constexpr int kLifecycleStageCount = 4;

std::string_view Name(CustomerState state);
std::string_view Name(LifecycleStage stage);
std::optional<CustomerState> ParseCustomerState(std::string_view name);
std::optional<LifecycleStage> ParseLifecycleStage(std::string_view name);

// potential: no purchase. lost: lapsed at `as_of_ms` (see IsLapsed). won_back: not
// lapsed now, and some purchase ended a lapse (the customer was lost just before
// it). current: the rest.
CustomerState StateAsOf(const PurchaseHistory& purchases, int64_t as_of_ms, const CustomerStateSettings& settings);

// exploration: fewer than formation_min_purchases. decline: at least that many and
// overdue (days since last > factor x median interval) or the count in the last
// window below ratio x the count in the window before. stability: enough purchases
// over enough tenure (since the first purchase), not in decline. formation: the rest.
LifecycleStage StageAsOf(const PurchaseHistory& purchases, int64_t as_of_ms, const LifecycleSettings& settings);

// The lapse rule behind `lost`: `days_since_last` days without a purchase after
// `purchases` purchases whose median interval is `median_days` (nullopt with < 2).
bool IsLapsed(double days_since_last, size_t purchases, std::optional<double> median_days,
              const CustomerStateSettings& settings);

// Whole days from `from_ms` to `to_ms` (floor, never negative).
int64_t WholeDaysBetween(int64_t from_ms, int64_t to_ms);

}  // namespace rapport::projections
