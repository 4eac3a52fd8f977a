#include "projections/satisfaction/satisfaction_projection.h"

#include "projections/domain/domain_settings.h"

namespace rapport::projections {
namespace {

Status Positive(const char* name, double value) {
  if (value > 0) return Status::Ok();
  return Status::InvalidArgument(name, "must be greater than 0, got " + std::to_string(value));
}

Status NotNegative(const char* name, double value) {
  if (value >= 0) return Status::Ok();
  return Status::InvalidArgument(name, "must be at least 0, got " + std::to_string(value));
}

}  // namespace

Status CheckSatisfactionSettings(const DomainSettings& settings) {
  RAPPORT_RETURN_IF_ERROR(CheckCustomerValueSettings(settings));
  const SatisfactionSettings& s = settings.satisfaction;
  RAPPORT_RETURN_IF_ERROR(Positive("domain.satisfaction.gap_half_life_days", s.gap_half_life_days));
  RAPPORT_RETURN_IF_ERROR(Positive("domain.satisfaction.repurchase_window_days", s.repurchase_window_days));
  if (s.trend_buckets < 2) {
    return Status::InvalidArgument(
        "domain.satisfaction.trend_buckets",
        "a slope needs at least 2 buckets, got " + std::to_string(s.trend_buckets));
  }
  const TrendThresholds& t = s.trend_threshold;
  RAPPORT_RETURN_IF_ERROR(NotNegative("domain.satisfaction.trend_threshold.csat", t.csat));
  RAPPORT_RETURN_IF_ERROR(NotNegative("domain.satisfaction.trend_threshold.nps", t.nps));
  RAPPORT_RETURN_IF_ERROR(NotNegative("domain.satisfaction.trend_threshold.mean_gap", t.mean_gap));
  RAPPORT_RETURN_IF_ERROR(
      NotNegative("domain.satisfaction.trend_threshold.complaint_rate", t.complaint_rate));
  RAPPORT_RETURN_IF_ERROR(
      NotNegative("domain.satisfaction.trend_threshold.resolution_acceptance", t.resolution_acceptance));
  RAPPORT_RETURN_IF_ERROR(
      NotNegative("domain.satisfaction.trend_threshold.repurchase_rate", t.repurchase_rate));
  return Status::Ok();
}

SatisfactionTraits::SatisfactionTraits(Store& store, const DomainSettings& /*settings*/)
    : cells_(store, Family::kIndex, EncodeSatisfactionCounts, DecodeSatisfactionCounts) {}

void SatisfactionTraits::Fold(State& state, const std::string& id, const events::Event& event,
                              const FoldContext& context) {
  const SatisfactionContext at{context.ranking, context.as_of_ms, context.settings.satisfaction};
  state = ApplySatisfaction(std::move(state), id, event, at, &deltas_);
}

void SatisfactionTraits::Merge(State& survivor, State&& duplicate, const std::string& duplicate_id,
                               const FoldContext& context) {
  survivor = MergeSatisfaction(std::move(survivor), duplicate, duplicate_id, context.settings.satisfaction, &deltas_);
}

Status SatisfactionTraits::Folded() {
  Status status = Status::Ok();
  for (const CellDelta& delta : deltas_) {
    const std::string key = EncodeCellKey(delta.key);
    auto cell = cells_.Load(key);
    if (!cell.ok()) {
      status = cell.status();
      break;
    }
    (*cell)->Add(delta.counts);
    cells_.MarkDirty(key);
  }
  deltas_.clear();  // the next event starts with none
  return status;
}

}  // namespace rapport::projections
