#include "projections/satisfaction/satisfaction_projection.h"

#include "projections/domain/domain_settings.h"
#include "projections/runtime/merged_states.h"
#include "projections/runtime/projection_meta.h"

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

Result<std::unique_ptr<SatisfactionProjection>> SatisfactionProjection::Create(Store& store,
                                                                               DomainSettings settings) {
  RAPPORT_RETURN_IF_ERROR(CheckSatisfactionSettings(settings));
  auto projection = std::make_unique<SatisfactionProjection>(store, std::move(settings));
  RAPPORT_RETURN_IF_ERROR(projection->ranking_.Start());
  return projection;
}

SatisfactionProjection::SatisfactionProjection(Store& store, DomainSettings settings)
    : store_(store),
      settings_(std::move(settings)),
      customers_(store, Family::kState, EncodeCustomerSatisfaction, DecodeCustomerSatisfaction),
      cells_(store, Family::kIndex, EncodeSatisfactionCounts, DecodeSatisfactionCounts),
      ranking_(store, kName, settings_.value, [this](int64_t as_of_ms) {
        return RankStates(store_, customers_, DecodeCustomerSatisfaction, RankedHistory<CustomerSatisfaction>, as_of_ms,
                          RankingParams::From(settings_.value));
      }) {}

Status SatisfactionProjection::Apply(const events::Event& event, const EventSource& /*source*/) {
  RAPPORT_RETURN_IF_ERROR(ranking_.Start());
  auto ranking = ranking_.Current();  // after a dropped batch: the last one written
  if (!ranking.ok()) return ranking.status();
  const int64_t as_of = std::max(ranking_.watermark_ms(), event.occurred_at_ms);
  SatisfactionContext context{*ranking, as_of, settings_.satisfaction};
  std::vector<CellDelta> cells;
  CachedStates<CustomerSatisfaction> states(customers_);
  RAPPORT_RETURN_IF_ERROR(ApplyWithMerges(
      states, event,
      [&](CustomerSatisfaction& state, const std::string& id, const events::Event& e) {
        state = ApplySatisfaction(std::move(state), id, e, context, &cells);
      },
      [&](CustomerSatisfaction& survivor, CustomerSatisfaction&& duplicate, const std::string& duplicate_id) {
        survivor =
            MergeSatisfaction(std::move(survivor), duplicate, duplicate_id, settings_.satisfaction, &cells);
      }));
  for (const CellDelta& delta : cells) {
    const std::string key = EncodeCellKey(delta.key);
    // A store read that fails here leaves the customer folded without its cell: an
    // I/O error stops the runtime (crash-only), which re-reads the batch on restart.
    auto cell = cells_.Load(key);
    if (!cell.ok()) return cell.status();
    (*cell)->Add(delta.counts);
    cells_.MarkDirty(key);
  }
  ranking_.Advance(as_of);
  return Status::Ok();
}

Status SatisfactionProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  RAPPORT_RETURN_IF_ERROR(ranking_.Checkpoint(batch));
  customers_.Checkpoint(batch);
  cells_.Checkpoint(batch);
  return Status::Ok();
}

void SatisfactionProjection::Committed() {
  customers_.Committed();
  cells_.Committed();
  ranking_.Committed();
}

void SatisfactionProjection::SetStateCacheLimit(size_t max_entries) {
  customers_.set_max_entries(max_entries);
  cells_.set_max_entries(max_entries);
}

void SatisfactionProjection::DropCache() {
  customers_.DropAll();
  cells_.DropAll();
  ranking_.Dropped();  // the next Apply reads the last ranking written
}

Status SatisfactionProjection::Idle() { return ranking_.Idle(); }

Result<std::optional<CustomerSatisfaction>> ReadCustomerSatisfaction(const Store& store,
                                                                     std::string_view customer_id) {
  auto stored = store.Get(Family::kState, customer_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<CustomerSatisfaction>();
  auto state = DecodeCustomerSatisfaction(**stored);
  if (!state.ok()) return state.status();
  return std::optional<CustomerSatisfaction>(std::move(state).value());
}

}  // namespace rapport::projections
