#pragma once
// Loyalty (DOMAIN.md §4) and the value x loyalty matrix (§3), per customer. The fold
// keeps what the indicators need (purchase history, wallet estimate, first and last
// interaction, referrals, resolutions); the indicators, the score, the quadrant and
// the `inactive` mark depend on time, so they are evaluated when read, as of the
// projection's watermark, against its ranking (EvaluateLoyalty). Pure.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "projections/domain/domain_settings.h"
#include "projections/domain/merge_fields.h"
#include "projections/domain/purchase_history.h"
#include "projections/domain/tier.h"
#include "projections/domain/value_snapshot.h"

namespace rapport::projections {

// Its merge bookkeeping (erased, merged_into, ...) comes from MergeFields.
struct CustomerLoyalty : MergeFields {
  std::string customer_id;
  PurchaseHistory purchase_history;
  std::optional<int64_t> wallet_estimate;  // minor units a year, all suppliers
  int64_t interactions = 0;                // every event but customers_merged and customer_erased
  int64_t first_interaction_ms = 0;        // tenure starts here; 0 before the first
  int64_t last_interaction_ms = 0;         // `inactive` counts from here
  int64_t referrals = 0;
  int64_t resolutions = 0;
  int64_t resolutions_accepted = 0;
  bool operator==(const CustomerLoyalty&) const = default;
};

// Folds one event into customer `id`'s state (the survivor's, for a duplicate's
// forwarded event: its registration then only fills a wallet estimate still empty).
CustomerLoyalty ApplyLoyalty(CustomerLoyalty state, const std::string& id, const events::Event& event);

// Folds the duplicate's state into the survivor's (the survivor's wallet estimate wins).
CustomerLoyalty MergeLoyalty(CustomerLoyalty survivor, const CustomerLoyalty& duplicate,
                             const std::string& duplicate_id);

struct LoyaltyIndicators {
  int64_t purchases = 0;
  std::optional<double> repeat_purchase_ratio;  // (purchases - 1) / purchases
  int64_t window_purchases = 0;                 // purchase frequency: purchases in the window
  int64_t window_revenue = 0;
  std::optional<double> mean_interval_days;
  std::optional<double> median_interval_days;
  std::optional<int64_t> wallet_estimate;
  std::optional<double> share_of_wallet;  // window revenue / wallet estimate (> 0), not capped
  double tenure_days = 0;                 // since the first interaction
  int64_t referrals = 0;
  int64_t resolutions = 0;
  int64_t resolutions_accepted = 0;
  std::optional<double> resolution_acceptance;
  std::optional<double> days_since_last_interaction;  // nullopt: never interacted
};

// The components of the score, each 0..1; nullopt where the customer has no data
// (the component drops out and the others' weights are rescaled).
enum class LoyaltyComponent {
  kRepeatPurchase,
  kFrequency,
  kInterval,
  kShareOfWallet,
  kTenure,
  kReferrals,
  kResolutionAcceptance
};
inline constexpr int kLoyaltyComponentCount = 7;
std::string_view Name(LoyaltyComponent component);

struct LoyaltyScore {
  double score = 0;  // 0..1
  std::array<std::optional<double>, kLoyaltyComponentCount> components{};
};

enum class Quadrant : uint8_t { kCore, kAtRiskOfPoaching, kSteady, kTransactional };
std::string_view Name(Quadrant quadrant);
Quadrant QuadrantOf(bool high_value, bool high_loyalty);

struct LoyaltyValue {
  int64_t as_of_ms = 0;
  int64_t ranking_as_of_ms = 0;
  LoyaltyIndicators indicators;
  LoyaltyScore score;
  Tier tier = Tier::kD;
  bool high_value = false;    // tier A or B
  bool high_loyalty = false;  // score >= domain.value.high_loyalty_score
  Quadrant quadrant = Quadrant::kTransactional;
  bool inactive = false;  // no interaction for domain.value.inactive_after_days
};

LoyaltyIndicators IndicatorsOf(const CustomerLoyalty& state, int64_t as_of_ms,
                               const LoyaltySettings& settings);
LoyaltyScore ScoreOf(const LoyaltyIndicators& indicators, const LoyaltySettings& settings);
// `state` must not be a merge pointer.
LoyaltyValue EvaluateLoyalty(const CustomerLoyalty& state, int64_t as_of_ms, const ValueSnapshot& ranking,
                             const DomainSettings& settings);

// Settings no evaluation could use are an error naming the setting.
Status CheckLoyaltySettings(const DomainSettings& settings);

std::string EncodeCustomerLoyalty(const CustomerLoyalty& state);
Result<CustomerLoyalty> DecodeCustomerLoyalty(std::string_view bytes);

}  // namespace rapport::projections
