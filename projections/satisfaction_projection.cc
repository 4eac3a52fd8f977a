#include "projections/satisfaction_projection.h"

#include "projections/customer_value.h"
#include "projections/merged_states.h"
#include "projections/projection_meta.h"

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
  RAPPORT_RETURN_IF_ERROR(projection->Start());
  return projection;
}

SatisfactionProjection::SatisfactionProjection(Store& store, DomainSettings settings)
    : store_(store),
      settings_(std::move(settings)),
      customers_(store, Family::kState, EncodeCustomerSatisfaction, DecodeCustomerSatisfaction),
      cells_(store, Family::kIndex, EncodeSatisfactionCounts, DecodeSatisfactionCounts),
      schedule_(settings_.value.ranking_refresh_hours, settings_.value.ranking_time_share) {}

Status SatisfactionProjection::Start() {
  if (started_) return Status::Ok();
  auto watermark = ReadWatermarkOf(store_, kName);
  if (!watermark.ok()) return watermark.status();
  watermark_ms_ = *watermark;
  started_ = true;
  return RefreshRanking();
}

Status SatisfactionProjection::Apply(const events::Event& event, const EventSource& /*source*/) {
  RAPPORT_RETURN_IF_ERROR(Start());
  if (!ranking_) {  // dropped after a failed write: the store has the last one written
    auto stored = ReadSnapshotOf(store_, kName);
    if (!stored.ok()) return stored.status();
    ranking_ = stored->value_or(ValueSnapshot{});
  }
  const int64_t as_of = std::max(watermark_ms_, event.occurred_at_ms);
  SatisfactionContext context{&*ranking_, as_of, settings_.satisfaction};
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
  watermark_ms_ = as_of;
  return Status::Ok();
}

Status SatisfactionProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  RAPPORT_RETURN_IF_ERROR(Start());
  if (schedule_.DueWithinBudget(watermark_ms_)) {
    const auto started = std::chrono::steady_clock::now();
    auto snapshot = BuildSnapshot();
    if (!snapshot.ok()) return snapshot.status();
    batch.Put(store_.handle(Family::kMeta), SnapshotKey(kName), EncodeValueSnapshot(*snapshot));
    schedule_.Rebuilt(snapshot->as_of_ms, started);
    ranking_ = std::move(snapshot).value();
  }
  customers_.Checkpoint(batch);
  cells_.Checkpoint(batch);
  batch.Put(store_.handle(Family::kMeta), WatermarkKey(kName), std::to_string(watermark_ms_));
  return Status::Ok();
}

void SatisfactionProjection::Committed() {
  customers_.Committed();
  cells_.Committed();
  schedule_.Committed();
}

void SatisfactionProjection::DropCache() {
  customers_.DropAll();
  cells_.DropAll();
  schedule_.Dropped();
  ranking_.reset();  // the next Apply reads the last one written
}

Status SatisfactionProjection::Idle() {
  if (!started_ || !schedule_.Due(watermark_ms_)) return Status::Ok();
  return RefreshRanking();
}

Status SatisfactionProjection::RefreshRanking() {
  const auto started = std::chrono::steady_clock::now();
  auto snapshot = BuildSnapshot();
  if (!snapshot.ok()) return snapshot.status();
  rocksdb::WriteBatch batch;
  batch.Put(store_.handle(Family::kMeta), SnapshotKey(kName), EncodeValueSnapshot(*snapshot));
  RAPPORT_RETURN_IF_ERROR(store_.Write(batch));
  schedule_.RebuiltAndCommitted(snapshot->as_of_ms, started);
  ranking_ = std::move(snapshot).value();
  return Status::Ok();
}

Result<ValueSnapshot> SatisfactionProjection::BuildSnapshot() const {
  return RankStates(
      store_, customers_, DecodeCustomerSatisfaction,
      [](const CustomerSatisfaction& s) -> const PurchaseHistory* {
        return s.customer_id.empty() || s.is_pointer() ? nullptr : &s.purchase_history;
      },
      watermark_ms_, RankingParams::From(settings_.value));
}

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
