#include "projections/domain/tier_cutoffs.h"

namespace rapport::projections {

TierCutoffs TierCutoffs::FromRanking(const Ranking& ranking, const std::array<double, 3>& cuts) {
  TierCutoffs out;
  out.cutoffs_ = RankCutoffs::FromRanking(ranking, cuts);
  return out;
}

TierCutoffs TierCutoffs::FromEntries(std::vector<RankEntry>& entries, const std::array<double, 3>& cuts) {
  TierCutoffs out;
  out.cutoffs_ = RankCutoffs::FromEntries(entries, cuts);
  return out;
}

Tier TierCutoffs::TierOf(int64_t value, std::string_view customer_id) const {
  if (value <= 0 || cutoffs_.population() == 0) return Tier::kD;
  return static_cast<Tier>(cutoffs_.BucketOf(value, customer_id));
}

std::optional<int64_t> TierCutoffs::LastValue(Tier tier) const {
  const auto index = static_cast<size_t>(tier);
  if (index >= cutoffs_.last_keys().size() || !cutoffs_.last_keys()[index]) return std::nullopt;
  return cutoffs_.last_keys()[index]->score;
}

bool TierCutoffs::Decode(BinaryReader& reader) {
  // Bucket indexes become tiers: anything but three cuts over a population is damage.
  return cutoffs_.Decode(reader) && (cutoffs_.cut_count() == kTierCount - 1 || cutoffs_.population() == 0);
}

}  // namespace rapport::projections
