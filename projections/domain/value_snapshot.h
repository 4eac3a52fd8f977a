#pragma once
// The ranking-derived part of customer value (DOMAIN.md §3): RFM quintile scores and
// pyramid tiers rank customers against each other, so they cannot be folded one
// event at a time. The fold keeps each customer's inputs (the purchase history); a
// rebuild ranks every customer as of an event time and keeps only the cut-offs and
// the segment totals in a small ValueSnapshot. A customer's tier and RFM scores are
// then its own inputs placed against the snapshot's cut-offs, wherever the snapshot
// is read (the projector writes it to its store; the query service reads it there).
// docs/domain.md ("Rankings") describes freshness and the multi-instance bound. Pure.

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "events/status.h"
#include "projections/domain/purchase_history.h"
#include "projections/domain/rank_cutoffs.h"
#include "projections/domain/tier.h"
#include "projections/domain/tier_cutoffs.h"
#include "projections/domain/value_settings.h"

namespace rapport::projections {

// The settings a snapshot was computed with. Stored with it, so that a reader
// computes each customer's inputs exactly as the cut-offs were computed.
struct RankingParams {
  bool pyramid_by_profit = false;
  int pyramid_window_days = 365;
  int rfm_window_days = 365;
  std::array<double, 3> tier_cuts = {0.01, 0.05, 0.20};
  static RankingParams From(const ValueSettings& settings);
  bool operator==(const RankingParams&) const = default;
};

// One customer's ranking inputs as of an event time. Windows are trailing and end
// at that time, inclusive: (as_of - days, as_of].
struct ValueInputs {
  std::string customer_id;
  bool has_purchases = false;  // ever: the RFM population
  int64_t pyramid_value = 0;   // revenue (or profit) in the pyramid window
  int64_t window_revenue = 0;  // pyramid window
  int64_t window_profit = 0;
  int64_t recency_day = 0;     // UTC day number of the last purchase (later ranks higher)
  int64_t recency_days = 0;    // R: whole days from the last purchase to as_of
  int64_t frequency = 0;       // F: purchases in the RFM window
  int64_t monetary = 0;        // M: revenue in the RFM window
};

ValueInputs InputsOf(std::string_view customer_id, const PurchaseHistory& history, int64_t as_of_ms,
                     const RankingParams& params);

struct RfmScores {
  int r = 0, f = 0, m = 0;  // 1..5, 5 best
  std::string Code() const;  // "545"
  bool operator==(const RfmScores&) const = default;
};

struct TierTotals {
  int64_t customers = 0;
  int64_t revenue = 0;  // sum of the members' pyramid-window revenue
  int64_t profit = 0;
  bool operator==(const TierTotals&) const = default;
};

struct ValueSnapshot {
  int64_t as_of_ms = 0;  // event time the inputs were taken at
  RankingParams params;
  TierCutoffs tiers;             // over every known customer (N)
  RankCutoffs recency;           // quintiles over customers with a purchase
  RankCutoffs frequency;
  RankCutoffs monetary;
  std::array<TierTotals, kTierCount> pyramid{};
  std::map<std::string, int64_t> rfm_cells;  // "545" -> customers, non-empty cells only

  bool operator==(const ValueSnapshot&) const = default;
};

// Ranks `inputs` (every known customer, merge pointers excluded) as of `as_of_ms`.
ValueSnapshot BuildValueSnapshot(const std::vector<ValueInputs>& inputs, int64_t as_of_ms,
                                 const RankingParams& params);

Tier TierOf(const ValueInputs& inputs, const ValueSnapshot& snapshot);
// nullopt for a customer who never bought, or before any customer has.
std::optional<RfmScores> ScoreRfm(const ValueInputs& inputs, const ValueSnapshot& snapshot);

std::string EncodeValueSnapshot(const ValueSnapshot& snapshot);
Result<ValueSnapshot> DecodeValueSnapshot(std::string_view bytes);

}  // namespace rapport::projections
