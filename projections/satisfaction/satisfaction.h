#pragma once
// Satisfaction (DOMAIN.md §4), folded per customer and per (day, channel, tier) cell.
// Pure: state and event in, state and cell changes out; time comes from events.
//
// Per customer: the EWMA of the survey gap (perception - expectation) with a
// half-life in event time (projections/domain/decayed_average.h), the last survey, survey
// counts for CSAT and NPS, complaints and resolutions, interactions, purchases and
// how many of them were bought again within the repurchase window. The purchase
// history is kept for the customer's tier (projections/domain/value_snapshot.h).
//
// Per cell: the same counts for the events of one UTC day, channel and tier, summed
// by the trend queries into days or weeks. An event's tier is the customer's tier
// against the ranking current when it is folded, evaluated as of the projection's
// watermark (docs/domain.md, "Satisfaction"). A purchase is counted in its own cell;
// when a later purchase (or a merge) shows it was bought again, its cell's
// `repurchased` grows: the cells then count each purchase once, in one cell.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/event.h"
#include "events/status.h"
#include "projections/domain/decayed_average.h"
#include "projections/domain/merge_fields.h"
#include "projections/domain/purchase_history.h"
#include "projections/domain/satisfaction_settings.h"
#include "projections/domain/tier.h"
#include "projections/domain/value_snapshot.h"

namespace rapport::projections {

// Standard definitions of the call-centre measures (DOMAIN.md §4), not settings.
inline constexpr int kCsatSatisfiedMin = 4;  // CSAT answers of 4 or 5 are satisfied
inline constexpr int kNpsPromoterMin = 9;    // 9-10 promoters
inline constexpr int kNpsDetractorMax = 6;   // 0-6 detractors

// Counts that add up: one customer's, one cell's, a bucket's.
struct SatisfactionCounts {
  int64_t interactions = 0;  // every event but customers_merged and customer_erased
  int64_t complaints = 0;
  int64_t resolutions = 0;
  int64_t resolutions_accepted = 0;
  int64_t surveys = 0;  // care contacts with at least one answer
  int64_t csat_answers = 0;
  int64_t csat_satisfied = 0;
  int64_t nps_answers = 0;
  int64_t promoters = 0;
  int64_t detractors = 0;
  int64_t gap_answers = 0;  // surveys with both expectation and perception
  int64_t gap_sum = 0;      // sum of perception - expectation
  int64_t purchases = 0;
  int64_t repurchased = 0;  // of those purchases, bought again within the window

  void Add(const SatisfactionCounts& other);
  bool empty() const { return *this == SatisfactionCounts{}; }
  bool operator==(const SatisfactionCounts&) const = default;
};

// The measures of some counts; nullopt where the denominator is 0.
struct SatisfactionMeasures {
  std::optional<double> csat;                   // share of CSAT answers of 4 or 5, 0..1
  std::optional<double> nps;                    // % promoters - % detractors, -100..100
  std::optional<double> mean_gap;               // mean perception - expectation
  std::optional<double> complaint_rate;         // complaints / interactions
  std::optional<double> resolution_acceptance;  // accepted / resolutions
  std::optional<double> repurchase_rate;        // repurchased / purchases
};
SatisfactionMeasures MeasuresOf(const SatisfactionCounts& counts);

// One cell of the per-day aggregates.
struct CellKey {
  int64_t day = 0;  // UTC day number (floor of epoch ms / 86,400,000)
  events::Channel channel = events::Channel::kOther;
  Tier tier = Tier::kD;
  bool operator==(const CellKey&) const = default;
};
// Store key: fixed-width, so keys sort by day, then channel, then tier.
std::string EncodeCellKey(const CellKey& key);
std::optional<CellKey> DecodeCellKey(std::string_view text);
// The first key of `day` (for range scans).
std::string CellKeyPrefix(int64_t day);
int64_t DayOf(int64_t epoch_ms);

struct CellDelta {
  CellKey key;
  SatisfactionCounts counts;
};

// One purchase as the repurchase rate sees it: where it was counted.
struct RepurchaseMark {
  int64_t at_ms = 0;
  events::Channel channel = events::Channel::kOther;
  Tier tier = Tier::kD;
  bool repurchased = false;
  bool operator==(const RepurchaseMark&) const = default;
};

struct GapSample {
  int64_t at_ms = 0;
  int32_t gap = 0;
  bool operator==(const GapSample&) const = default;
};

// Its merge bookkeeping (erased, merged_into, ...) comes from MergeFields.
struct CustomerSatisfaction : MergeFields {
  std::string customer_id;
  SatisfactionCounts counts;
  int64_t open_complaints = 0;
  DecayedAverage gap_ewma;
  std::vector<GapSample> gap_samples;  // every gap, so a merge can fold them into the survivor's EWMA
  events::SurveyAnswers last_survey;
  int64_t last_survey_ms = 0;
  PurchaseHistory purchase_history;         // for the tier
  std::vector<RepurchaseMark> repurchases;  // event-time order
  bool operator==(const CustomerSatisfaction&) const = default;
};

// What a fold needs beyond the state and the event: the ranking and the instant an
// event's tier is evaluated at (the projection's watermark, this event included).
struct SatisfactionContext {
  const ValueSnapshot* ranking = nullptr;  // null: everyone is D (no ranking yet)
  int64_t tier_as_of_ms = 0;
  SatisfactionSettings settings;
};

// Folds one event into customer `id`'s state (the survivor's, for a duplicate's
// forwarded event) and appends the cell changes to `cells`. A CustomersMerged event
// changes nothing here (MergeSatisfaction does the merge).
CustomerSatisfaction ApplySatisfaction(CustomerSatisfaction state, const std::string& id,
                                       const events::Event& event, const SatisfactionContext& context,
                                       std::vector<CellDelta>* cells);

// Folds the duplicate's state into the survivor's: counts add, gap samples join the
// survivor's EWMA, the newer last survey wins, purchases that the other's purchases
// show were bought again are marked (their cells' `repurchased` grows).
CustomerSatisfaction MergeSatisfaction(CustomerSatisfaction survivor, const CustomerSatisfaction& duplicate,
                                       const std::string& duplicate_id, const SatisfactionSettings& settings,
                                       std::vector<CellDelta>* cells);

// The tier of a customer as of `as_of_ms` against `ranking` (D without one).
Tier SatisfactionTierOf(const CustomerSatisfaction& state, int64_t as_of_ms, const ValueSnapshot* ranking);

std::string EncodeCustomerSatisfaction(const CustomerSatisfaction& state);
Result<CustomerSatisfaction> DecodeCustomerSatisfaction(std::string_view bytes);
std::string EncodeSatisfactionCounts(const SatisfactionCounts& counts);
Result<SatisfactionCounts> DecodeSatisfactionCounts(std::string_view bytes);

}  // namespace rapport::projections
