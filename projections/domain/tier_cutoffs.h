#pragma once
// Pyramid tiers (DOMAIN.md §3) from cut-offs, for any service that knows a
// customer's value: rank every known customer by value (projections/domain/ranking.h),
// take the cut-offs once, then TierOf answers per customer without the ranking.
//   Ranking r; r.Set(id, value) for every known customer; r.Rebuild();
//   auto cutoffs = TierCutoffs::FromRanking(r, settings.value.tier_cuts);
//   Tier t = cutoffs.TierOf(value, id);
// The first round(N x 1 %) are A, up to round(N x 5 %) B, up to round(N x 20 %) C,
// the rest D; a value <= 0 (no revenue) is always D. Value type; pure.

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "projections/domain/rank_cutoffs.h"
#include "projections/domain/ranking.h"
#include "projections/domain/tier.h"

namespace rapport::projections {

class TierCutoffs {
 public:
  TierCutoffs() = default;  // no population: everyone is D
  static TierCutoffs FromRanking(const Ranking& ranking, const std::array<double, 3>& cuts);
  // The same from (value, customer id) entries, without a Ranking (reorders them).
  static TierCutoffs FromEntries(std::vector<RankEntry>& entries, const std::array<double, 3>& cuts);

  Tier TierOf(int64_t value, std::string_view customer_id) const;
  size_t population() const { return cutoffs_.population(); }
  // The value of the last customer inside `tier` (A, B or C); nullopt when empty.
  std::optional<int64_t> LastValue(Tier tier) const;

  void Encode(BinaryWriter& writer) const { cutoffs_.Encode(writer); }
  bool Decode(BinaryReader& reader);
  bool operator==(const TierCutoffs&) const = default;

 private:
  RankCutoffs cutoffs_;
};

}  // namespace rapport::projections
