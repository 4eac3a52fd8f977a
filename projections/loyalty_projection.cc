#include "projections/loyalty_projection.h"

#include "projections/merged_states.h"
#include "projections/projection_meta.h"

namespace rapport::projections {

Result<std::unique_ptr<LoyaltyProjection>> LoyaltyProjection::Create(Store& store, DomainSettings settings) {
  RAPPORT_RETURN_IF_ERROR(CheckLoyaltySettings(settings));
  auto projection = std::make_unique<LoyaltyProjection>(store, std::move(settings));
  RAPPORT_RETURN_IF_ERROR(projection->Start());
  return projection;
}

LoyaltyProjection::LoyaltyProjection(Store& store, DomainSettings settings)
    : store_(store),
      settings_(std::move(settings)),
      customers_(store, Family::kState, EncodeCustomerLoyalty, DecodeCustomerLoyalty),
      schedule_(settings_.value.ranking_refresh_hours, settings_.value.ranking_time_share) {}

Status LoyaltyProjection::Start() {
  if (started_) return Status::Ok();
  auto watermark = ReadWatermarkOf(store_, kName);
  if (!watermark.ok()) return watermark.status();
  watermark_ms_ = *watermark;
  started_ = true;
  return RefreshRanking();
}

Status LoyaltyProjection::Apply(const events::Event& event, const EventSource& /*source*/) {
  RAPPORT_RETURN_IF_ERROR(Start());
  CachedStates<CustomerLoyalty> states(customers_);
  RAPPORT_RETURN_IF_ERROR(ApplyWithMerges(
      states, event,
      [](CustomerLoyalty& state, const std::string& id, const events::Event& e) {
        state = ApplyLoyalty(std::move(state), id, e);
      },
      [](CustomerLoyalty& survivor, CustomerLoyalty&& duplicate, const std::string& duplicate_id) {
        survivor = MergeLoyalty(std::move(survivor), duplicate, duplicate_id);
      }));
  watermark_ms_ = std::max(watermark_ms_, event.occurred_at_ms);
  return Status::Ok();
}

Status LoyaltyProjection::Checkpoint(rocksdb::WriteBatch& batch) {
  RAPPORT_RETURN_IF_ERROR(Start());
  if (schedule_.DueWithinBudget(watermark_ms_)) {
    const auto started = std::chrono::steady_clock::now();
    auto snapshot = BuildSnapshot();
    if (!snapshot.ok()) return snapshot.status();
    batch.Put(store_.handle(Family::kMeta), SnapshotKey(kName), EncodeValueSnapshot(*snapshot));
    schedule_.Rebuilt(snapshot->as_of_ms, started);
  }
  customers_.Checkpoint(batch);
  batch.Put(store_.handle(Family::kMeta), WatermarkKey(kName), std::to_string(watermark_ms_));
  return Status::Ok();
}

void LoyaltyProjection::Committed() {
  customers_.Committed();
  schedule_.Committed();
}

void LoyaltyProjection::DropCache() {
  customers_.DropAll();
  schedule_.Dropped();
}

Status LoyaltyProjection::Idle() {
  if (!started_ || !schedule_.Due(watermark_ms_)) return Status::Ok();
  return RefreshRanking();
}

Status LoyaltyProjection::RefreshRanking() {
  const auto started = std::chrono::steady_clock::now();
  auto snapshot = BuildSnapshot();
  if (!snapshot.ok()) return snapshot.status();
  rocksdb::WriteBatch batch;
  batch.Put(store_.handle(Family::kMeta), SnapshotKey(kName), EncodeValueSnapshot(*snapshot));
  RAPPORT_RETURN_IF_ERROR(store_.Write(batch));
  schedule_.RebuiltAndCommitted(snapshot->as_of_ms, started);
  return Status::Ok();
}

Result<ValueSnapshot> LoyaltyProjection::BuildSnapshot() const {
  return RankStates(
      store_, customers_, DecodeCustomerLoyalty,
      [](const CustomerLoyalty& s) -> const PurchaseHistory* {
        return s.customer_id.empty() || s.is_pointer() ? nullptr : &s.purchase_history;
      },
      watermark_ms_, RankingParams::From(settings_.value));
}

Result<std::optional<CustomerLoyalty>> ReadCustomerLoyalty(const Store& store, std::string_view customer_id) {
  auto stored = store.Get(Family::kState, customer_id);
  if (!stored.ok()) return stored.status();
  if (!stored->has_value()) return std::optional<CustomerLoyalty>();
  auto state = DecodeCustomerLoyalty(**stored);
  if (!state.ok()) return state.status();
  return std::optional<CustomerLoyalty>(std::move(state).value());
}

}  // namespace rapport::projections
